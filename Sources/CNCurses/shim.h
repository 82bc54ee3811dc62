#ifndef LESSOR_CNCURSES_SHIM_H
#define LESSOR_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's cflags, so ask for the wide-character API here.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

// Swift 6 rejects C globals that are mutable; read them through functions.
static inline int lessor_lines(void) { return LINES; }
static inline int lessor_cols(void) { return COLS; }
static inline int lessor_colors(void) { return COLORS; }
static inline int lessor_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *lessor_stdscr(void) { return stdscr; }
#endif

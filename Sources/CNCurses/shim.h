#ifndef LESSOR_CNCURSES_SHIM_H
#define LESSOR_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's cflags, so ask for the wide-character API here.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <langinfo.h>
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Swift 6 rejects C globals that are mutable; read them through functions.
static inline int lessor_lines(void) { return LINES; }
static inline int lessor_cols(void) { return COLS; }
static inline int lessor_colors(void) { return COLORS; }
static inline int lessor_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *lessor_stdscr(void) { return stdscr; }
static inline WINDOW *lessor_curscr(void) { return curscr; }

// Function-like macros Swift does not import.
static inline attr_t lessor_a_normal(void) { return A_NORMAL; }
static inline attr_t lessor_a_bold(void) { return A_BOLD; }
static inline attr_t lessor_a_underline(void) { return A_UNDERLINE; }
static inline attr_t lessor_a_reverse(void) { return A_REVERSE; }
static inline int lessor_key_f0(void) { return KEY_F0; }

// Columns a character takes in the current locale (-1: not printable). Declared here because the
// C library module may hide it behind _XOPEN_SOURCE.
extern int wcwidth(wchar_t c);
static inline int lessor_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

// The terminfo entry can move the cursor (`cup`): without it (TERM=dumb) nothing can be drawn.
static inline int lessor_has_cursor_addressing(void) {
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (const char *)-1;
}

// The locale's character set after setlocale(LC_ALL, ""), e.g. "UTF-8" or "ANSI_X3.4-1968".
static inline const char *lessor_codeset(void) { return nl_langinfo(CODESET); }
#endif

// The ncurses screen lands here (issue 4).
import CNCurses

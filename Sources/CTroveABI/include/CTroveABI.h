/*
 * Umbrella header of the CTroveABI module: the public C contract (trove.h) and the
 * library's internal handle-table storage. Listing the headers here, rather than
 * letting the module take its whole directory, makes a new header a change to this
 * file, which rebuilds the module.
 */
#include "trove.h"
#include "trove_handle_slots.h"

#ifndef PROCTOR_CZLIB_SHIM_H
#define PROCTOR_CZLIB_SHIM_H

#include <zlib.h>

#endif

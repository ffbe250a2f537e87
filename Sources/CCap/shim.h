#ifndef PROCTOR_CCAP_SHIM_H
#define PROCTOR_CCAP_SHIM_H

#include <sys/capability.h>

#endif

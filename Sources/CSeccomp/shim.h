#ifndef PROCTOR_CSECCOMP_SHIM_H
#define PROCTOR_CSECCOMP_SHIM_H

#define _GNU_SOURCE
#include <seccomp.h>
#include <sys/mman.h>

/// libseccomp spells its actions as function-like macros, which Swift cannot import; these
/// wrappers give the parent-side compiler plain functions instead.
static inline uint32_t csec_act_errno(uint16_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t csec_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t csec_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t csec_act_notify(void) { return SCMP_ACT_NOTIFY; }

/// The exported BPF goes through a memfd because libseccomp 2.5 can only export to a file
/// descriptor (`seccomp_export_bpf_mem` arrived in 2.6); `memfd_create` is not in Swift's Glibc.
static inline int csec_memfd(void) { return memfd_create("proctor-seccomp-bpf", MFD_CLOEXEC); }

#endif

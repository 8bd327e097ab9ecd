// Declassification for the constant-time test (tests/ct, DESIGN §10).
//
// Under valgrind memcheck the test marks secrets as undefined memory. Any branch or memory address that
// depends on them is then reported. Some results computed from secrets are meant to be public: a range
// check that aborts, whether a value is zero, a product that is published, an exponent's length that
// the comb reveals by design (fixed_base.h). Code declares them public with ct::declassify at the point
// where the decision is made, so the test keeps failing on any leak nobody declared.
//
// Outside valgrind the client request is a few no-op instructions. Without valgrind's headers it is
// nothing at all.
#pragma once

#include <cstddef>

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define CUSTOS_CT_VALGRIND 1
#endif

namespace custos::ct {

inline void declassify(const void* p, size_t len) {
#ifdef CUSTOS_CT_VALGRIND
  (void)VALGRIND_MAKE_MEM_DEFINED(p, len);
#else
  (void)p;
  (void)len;
#endif
}

// Returns v, declared public (for predicates: `if (ct::pub(x.is_zero()))`).
template <class T>
inline T pub(T v) {
  declassify(&v, sizeof v);
  return v;
}

}  // namespace custos::ct

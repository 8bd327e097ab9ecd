// The prover's secret-arithmetic helpers (crypto/zk/sec_ops.h) against plain GMP arithmetic, for the odd
// moduli of real keys and for the even modulus a test key can have (which must not abort).
#include <catch2/catch.hpp>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/rng.h"
#include "crypto/zk/sec_ops.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("sec_ops: mul_mod_secret, inverse_blinded and mask_nonce match GMP, odd and even moduli", "[zk][sec_ops]") {
  CUSTOS_SEEDED_RNG(rng, 4401);
  for (const BigInt& m : {BigInt::from_hex("c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a5f"),
                          BigInt::from_hex("c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a60")}) {
    INFO("m = " << m.to_hex());
    for (int i = 0; i < 10; ++i) {
      const BigInt a = BigInt::random_unit(rng, m), b = BigInt::random_below(rng, m);
      CHECK(zk::secops::mul_mod_secret(a, b, m) == (a * b).mod(m));
      CHECK(zk::secops::inverse_blinded(a, m, rng) == *BigInt::invert(a, m));
    }
  }
  // mask_nonce: r·ρ^e mod N for both signs of e, under an odd test key and an even one (p = 2).
  const BigInt q = BigInt::from_hex("fd279ef47592e9494d40f71c1426395f53c9a71127d8c7d51b27978739aab873");
  for (const BigInt& p : {BigInt::from_hex("c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a5f"),
                          BigInt(2)}) {
    const PaillierSecretKey sk = PaillierSecretKey::unchecked_for_testing(p, q);
    const BigInt& n = sk.public_key().n();
    INFO("N = " << n.to_hex());
    for (int i = 0; i < 6; ++i) {
      const BigInt r = BigInt::random_unit(rng, n), rho = BigInt::random_unit(rng, n);
      BigInt e = BigInt::random_bits(rng, 256);
      if (i % 2) e = -e;
      const BigInt expected = (r * BigInt::powm_unit(rho, e, n)).mod(n);
      CHECK(zk::secops::mask_nonce(r, rho, e, sk.public_key(), nullptr, rng) == expected);
    }
  }
}

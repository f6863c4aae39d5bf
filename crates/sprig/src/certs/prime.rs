//! Randomness and probable primes for RSA and DSA key generation.
//!
//! RSA primes are found as Go's `crypto/rsa` finds them (FIPS 186-5, Appendix A.1.3): draw a
//! uniformly random odd candidate of the wanted size with its top two bits set, rule most
//! composites out by trial division, then run Miller-Rabin with random bases, as many rounds as
//! Go runs for that size. One step is ours: before Miller-Rabin, a Fermat test to base two
//! (squarings only) throws out the remaining composites more cheaply. Candidates are
//! independent draws (no incremental search), so primes are as uniformly distributed as Go's.

use helmet_value::FuncError;
use num_bigint::BigUint;

mod montgomery;

use montgomery::limbs_of;
pub(super) use montgomery::Modulus;

/// `n` bytes from the operating system's random source.
pub(super) fn random_bytes(n: usize) -> Result<Vec<u8>, FuncError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| FuncError::new(format!("random bytes: {e}")))?;
    Ok(buf)
}

/// A uniformly random integer in `1..bound` (rejection sampling on whole bytes).
pub(super) fn random_below(bound: &BigUint) -> Result<BigUint, FuncError> {
    let bits = bound.bits() as usize;
    let bytes = bits.div_ceil(8);
    let excess = bytes * 8 - bits;
    loop {
        let mut raw = random_bytes(bytes)?;
        if let Some(first) = raw.first_mut() {
            *first &= 0xFF >> excess;
        }
        let n = BigUint::from_bytes_be(&raw);
        if n != BigUint::ZERO && &n < bound {
            return Ok(n);
        }
    }
}

/// Trial division stops below this bound. Each further prime p rejects about 1/p of the
/// candidates still standing, each of which would otherwise cost a whole Miller-Rabin
/// exponentiation, while costing only a few multiplications per limb pair; around a few
/// thousand the two balance for 1024-bit candidates.
const TRIAL_DIVISION_BOUND: u32 = 4096;

/// Consecutive odd primes whose product fits in 32 bits: one pass over a candidate's 32-bit
/// digits gives its remainder by the product, and from it the remainder by each prime.
struct PrimeGroup {
    product: u64,
    /// ⌈2^128 / product⌉, for remainders by multiplication (see `remainder`).
    reciprocal: u128,
    primes: Vec<u32>,
}

impl PrimeGroup {
    /// `x mod product` without a division instruction: the fractional part of x/product, read
    /// from the low 128 bits of x·⌈2^128/product⌉, times the product (Lemire, Kaser and Kurz,
    /// "Faster remainder by direct computation", 2019). Exact for 64-bit x and divisors.
    fn remainder(&self, x: u64) -> u64 {
        let fraction = self.reciprocal.wrapping_mul(u128::from(x));
        let d = u128::from(self.product);
        let low = (u128::from(fraction as u64) * d) >> 64;
        (((fraction >> 64) * d + low) >> 64) as u64
    }
}

/// The odd primes below `TRIAL_DIVISION_BOUND`, packed into groups.
fn prime_groups() -> &'static [PrimeGroup] {
    static GROUPS: std::sync::OnceLock<Vec<PrimeGroup>> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| {
        let primes = (3u32..TRIAL_DIVISION_BOUND).step_by(2).filter(|n| {
            (3..)
                .step_by(2)
                .take_while(|d| d * d <= *n)
                .all(|d| n % d != 0)
        });
        let mut groups: Vec<PrimeGroup> = Vec::new();
        for p in primes {
            match groups.last_mut() {
                Some(g) if g.product * u64::from(p) <= u64::from(u32::MAX) => {
                    g.product *= u64::from(p);
                    g.primes.push(p);
                }
                _ => groups.push(PrimeGroup {
                    product: u64::from(p),
                    reciprocal: 0,
                    primes: vec![p],
                }),
            }
        }
        for g in &mut groups {
            g.reciprocal = u128::MAX / u128::from(g.product) + 1;
        }
        groups
    })
}

/// Whether a small prime divides `n` (which is larger than all of them).
pub(super) fn has_small_factor(n: &BigUint) -> bool {
    let digits: Vec<u32> = n.iter_u32_digits().rev().collect();
    prime_groups().iter().any(|group| {
        let remainder = digits.iter().fold(0u64, |r, &digit| {
            group.remainder((r << 32) | u64::from(digit))
        });
        group.primes.iter().any(|&p| remainder % u64::from(p) == 0)
    })
}

/// The Miller-Rabin rounds Go's RSA key generation runs on a random candidate of `bits` bits:
/// for random (not adversarial) candidates the chance that a composite passes a round is far
/// below the worst case 1/4, so fewer rounds reach the security level a key of that size aims
/// at (Go takes the counts from BoringSSL, after the analysis behind FIPS 186-5's Table B.1).
fn rounds_for_random_candidate(bits: u64) -> usize {
    match bits {
        3747.. => 3,
        1345.. => 4,
        476.. => 5,
        400.. => 6,
        347.. => 7,
        308.. => 8,
        55.. => 27,
        _ => 34,
    }
}

/// Whether `n` is prime: certainly for n ≤ 3 and even n, else after a Fermat test to base
/// two and Miller-Rabin with `rounds` random bases in `2..=n-2`.
pub(super) fn probably_prime(n: &BigUint, rounds: usize) -> Result<bool, FuncError> {
    if n <= &BigUint::from(3u8) {
        return Ok(n >= &BigUint::from(2u8));
    }
    match Modulus::new(n) {
        Some(modulus) => passes_primality_tests(n, &modulus, rounds),
        None => Ok(false),
    }
}

/// Whether the odd n > 3, prepared as `modulus`, passes the Fermat test to base two and then
/// `rounds` of Miller-Rabin. Most composites that reach here fail the first test, which costs
/// less than a Miller-Rabin round (every odd prime passes it); the random-base rounds decide
/// the rest, such as base-two pseudoprimes.
fn passes_primality_tests(
    n: &BigUint,
    modulus: &Modulus,
    rounds: usize,
) -> Result<bool, FuncError> {
    if !fermat_base_two(n, modulus) {
        return Ok(false);
    }
    miller_rabin(n, modulus, rounds)
}

/// Whether 2^(n-1) ≡ 1 (mod n), Fermat's test to base two: nearly every composite fails it,
/// at the cost of squarings alone.
fn fermat_base_two(n: &BigUint, modulus: &Modulus) -> bool {
    let power = modulus.pow_of_two(&(n - 1u8).to_u64_digits());
    power == modulus.one()
}

/// Miller-Rabin with `rounds` random bases on an odd n > 3 prepared as `modulus`.
fn miller_rabin(n: &BigUint, modulus: &Modulus, rounds: usize) -> Result<bool, FuncError> {
    let n_minus_1 = n - 1u8;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let odd_part = (&n_minus_1 >> s).to_u64_digits();
    let bits = n.bits() as usize;
    let bytes = bits.div_ceil(8);
    let excess = bytes * 8 - bits;
    let mut quotients = modulus.scratch();
    let mut squared = vec![0; modulus.len()];
    let mut passed = 0;
    while passed < rounds {
        // A uniform base: draws outside 2..=n-2 are thrown away, as Go does.
        let mut raw = random_bytes(bytes)?;
        raw[0] &= 0xFF >> excess;
        let base = BigUint::from_bytes_be(&raw);
        if base <= BigUint::from(1u8) || base >= n_minus_1 {
            continue;
        }
        let base = modulus.reduced_to_montgomery(&limbs_of(&base, modulus.len()));
        let mut x = modulus.pow_montgomery(&base, &odd_part);
        if x != modulus.one() && !modulus.is_minus_one(&x) {
            let mut reached_minus_one = false;
            for _ in 1..s {
                modulus.square(&x, &mut squared, &mut quotients);
                std::mem::swap(&mut x, &mut squared);
                if modulus.is_minus_one(&x) {
                    reached_minus_one = true;
                    break;
                }
                if x == modulus.one() {
                    // Squaring keeps one at one: -1 cannot come any more.
                    break;
                }
            }
            if !reached_minus_one {
                return Ok(false);
            }
        }
        passed += 1;
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits (at least 16) whose top two bits are set, so that two
/// of them multiply to a modulus of exactly their summed length.
pub(super) fn random_prime(bits: usize) -> Result<BigUint, FuncError> {
    if bits < 16 {
        return Err(FuncError::new("rsa: prime size must be at least 16 bits"));
    }
    let bytes = bits.div_ceil(8);
    let excess = bytes * 8 - bits;
    let rounds = rounds_for_random_candidate(bits as u64);
    loop {
        let mut raw = random_bytes(bytes)?;
        raw[0] &= 0xFF >> excess;
        // The top two of `bits` bits, which straddle a byte boundary when 7 bits are spare.
        if excess < 7 {
            raw[0] |= 0xC0 >> excess;
        } else {
            raw[0] |= 1;
            raw[1] |= 0x80;
        }
        raw[bytes - 1] |= 1;
        let candidate = BigUint::from_bytes_be(&raw);
        if has_small_factor(&candidate) {
            continue;
        }
        let modulus = Modulus::new(&candidate).expect("candidates are odd");
        if passes_primality_tests(&candidate, &modulus, rounds)? {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> BigUint {
        text.parse().unwrap()
    }

    #[test]
    fn remainders_by_multiplication_are_exact() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for group in prime_groups() {
            for _ in 0..200 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                assert_eq!(
                    group.remainder(x),
                    x % group.product,
                    "{x} mod {}",
                    group.product
                );
            }
            for edge in [0, 1, group.product - 1, group.product, u64::MAX] {
                assert_eq!(group.remainder(edge), edge % group.product);
            }
        }
    }

    #[test]
    fn trial_division_finds_small_factors() {
        let groups = prime_groups();
        let primes: Vec<u32> = groups.iter().flat_map(|g| g.primes.clone()).collect();
        assert_eq!(primes[..5], [3, 5, 7, 11, 13]);
        assert_eq!(primes.last(), Some(&4093));
        assert!(groups.iter().all(|g| g.product <= u64::from(u32::MAX)));
        let mersenne = (BigUint::from(1u8) << 127u32) - 1u8;
        assert!(!has_small_factor(&mersenne));
        for p in [3u32, 5, 4001, 4093] {
            assert!(has_small_factor(&(&mersenne * p)), "{p}");
        }
        // 4099 is the first prime past the bound.
        assert!(!has_small_factor(&(&mersenne * 4099u32)));
    }

    #[test]
    fn primes_and_composites_are_classified() {
        let primes = [
            big("5"),
            big("65537"),
            big("2305843009213693951"), // 2^61 - 1
            (BigUint::from(1u8) << 127u32) - 1u8,
            (BigUint::from(1u8) << 521u32) - 1u8,
            (BigUint::from(1u8) << 1279u32) - 1u8,
        ];
        for p in &primes {
            assert!(probably_prime(p, 20).unwrap(), "{p} is prime");
        }
        let composites = [
            big("1"),
            big("4"),
            big("9"),
            // Carmichael numbers: Fermat liars for every coprime base.
            big("561"),
            big("1105"),
            big("1729"),
            big("41041"),
            big("825265"),
            big("321197185"),
            // Strong pseudoprimes to the bases 2; 2, 3; 2, 3, 5; 2, 3, 5, 7; and 2 to 23.
            big("2047"),
            big("1373653"),
            big("25326001"),
            big("3215031751"),
            big("3825123056546413051"),
            // 2^128 + 1, the Fermat number F7, and a product of two large primes.
            (BigUint::from(1u8) << 128u32) + 1u8,
            &primes[4] * &primes[3],
        ];
        for c in &composites {
            assert!(!probably_prime(c, 20).unwrap(), "{c} is composite");
        }
    }

    #[test]
    fn large_carmichael_numbers_are_composite() {
        // (6k+1)(12k+1)(18k+1) is a Carmichael number when the three factors are prime.
        let k0 = 1u64 << 40;
        let (a, b, c) = (k0..)
            .map(|k| (6 * k + 1, 12 * k + 1, 18 * k + 1))
            .find(|&(a, b, c)| {
                [a, b, c].iter().all(|&f| {
                    let f = BigUint::from(f);
                    !has_small_factor(&f) && probably_prime(&f, 27).unwrap()
                })
            })
            .unwrap();
        let carmichael = BigUint::from(a) * b * c;
        let fermat_witness = BigUint::from(2u8);
        // It fools Fermat's test...
        assert_eq!(
            fermat_witness.modpow(&(&carmichael - 1u8), &carmichael),
            BigUint::from(1u8)
        );
        // ...not Miller-Rabin.
        assert!(!probably_prime(&carmichael, 10).unwrap());
    }

    #[test]
    fn base_two_test_rejects_composites_but_not_its_pseudoprimes() {
        let test = |n: &BigUint| fermat_base_two(n, &Modulus::new(n).unwrap());
        assert!(test(&((BigUint::from(1u8) << 521u32) - 1u8)));
        assert!(!test(&big("2047000007")));
        // 341 = 11·31 and the Carmichael number 561 fool it; Miller-Rabin does not.
        for pseudoprime in [big("341"), big("561")] {
            assert!(test(&pseudoprime));
            assert!(!probably_prime(&pseudoprime, 20).unwrap());
        }
    }

    #[test]
    fn random_primes_have_the_asked_size() {
        for bits in [16, 17, 23, 24, 100, 128, 257] {
            let p = random_prime(bits).unwrap();
            assert_eq!(p.bits(), bits as u64);
            assert!(p.bit(bits as u64 - 2), "second bit of {p}");
            assert!(probably_prime(&p, 30).unwrap());
        }
        assert!(random_prime(15).is_err());
    }

    #[test]
    fn random_below_stays_in_range() {
        let bound = BigUint::from(1000u32);
        assert!((0..100).all(|_| {
            let n = random_below(&bound).unwrap();
            n > BigUint::ZERO && n < bound
        }));
    }

    #[test]
    fn round_counts_follow_go() {
        assert_eq!(rounds_for_random_candidate(512), 5);
        assert_eq!(rounds_for_random_candidate(1024), 5);
        assert_eq!(rounds_for_random_candidate(2048), 4);
        assert_eq!(rounds_for_random_candidate(16), 34);
    }
}

//! Randomness and probable primes for RSA and DSA key generation.

use helmet_value::FuncError;
use num_bigint::BigUint;

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

/// The odd primes below 2000: trial division by them rejects most candidates cheaply.
fn small_primes() -> &'static [u32] {
    static PRIMES: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    PRIMES.get_or_init(|| {
        (3u32..2000)
            .step_by(2)
            .filter(|n| {
                (3..)
                    .step_by(2)
                    .take_while(|d| d * d <= *n)
                    .all(|d| n % d != 0)
            })
            .collect()
    })
}

/// Whether a small prime divides `n` (which is larger than all of them).
pub(super) fn has_small_factor(n: &BigUint) -> bool {
    small_primes().iter().any(|p| (n % *p) == BigUint::ZERO)
}

/// Miller-Rabin with random bases.
pub(super) fn probably_prime(n: &BigUint, rounds: usize) -> Result<bool, FuncError> {
    let one = BigUint::from(1u8);
    let two = BigUint::from(2u8);
    if n <= &BigUint::from(3u8) {
        return Ok(n >= &two);
    }
    let n_minus_1 = n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let bytes = (n.bits() as usize).div_ceil(8);
    'witness: for _ in 0..rounds {
        let a = BigUint::from_bytes_be(&random_bytes(bytes)?) % (&n_minus_1 - &two) + &two;
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n_minus_1 {
                continue 'witness;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits (a multiple of 8) whose top two bits are set, so that
/// two of them multiply to a full-size RSA modulus.
pub(super) fn random_prime(bits: usize) -> Result<BigUint, FuncError> {
    let bytes = bits / 8;
    loop {
        let mut raw = random_bytes(bytes)?;
        raw[0] |= 0xC0;
        raw[bytes - 1] |= 1;
        let candidate = BigUint::from_bytes_be(&raw);
        if has_small_factor(&candidate) {
            continue;
        }
        if probably_prime(&candidate, 20)? {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_are_recognised() {
        assert_eq!(small_primes()[..5], [3, 5, 7, 11, 13]);
        let mersenne = (BigUint::from(1u8) << 127u32) - 1u8;
        assert!(probably_prime(&mersenne, 10).unwrap());
        let composite = &mersenne * BigUint::from(2_147_483_647u32);
        assert!(!probably_prime(&composite, 10).unwrap());
        let p = random_prime(128).unwrap();
        assert_eq!(p.bits(), 128);
        let bound = BigUint::from(1000u32);
        assert!((0..100).all(|_| {
            let n = random_below(&bound).unwrap();
            n > BigUint::ZERO && n < bound
        }));
    }
}

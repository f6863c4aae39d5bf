//! Modular exponentiation modulo an odd number in Montgomery form, on 64-bit limbs.
//!
//! Key generation spends nearly all its time in the exponentiations of its primality tests,
//! and signing in two more. `num_bigint`'s `modpow` runs a fixed 4-bit window of general
//! Montgomery products, each into a fresh allocation, so its squarings (nearly all the work)
//! cost as much as products. Here a modulus is prepared once (its Montgomery constants), values
//! stay limb vectors in Montgomery form (x·R mod m, R = 2^(64·limbs)), squarings form each
//! cross product once, the limb counts of RSA primes (8, 16, 32) get copies with the count fixed
//! that the compiler unrolls, and exponents are scanned with a sliding window.
//! Not constant-time: it serves key generation (random candidates, as Go's own primality tests
//! are variable-time) and signing in templates whose keys are printed into the output anyway.

use num_bigint::BigUint;

/// Little-endian 64-bit limbs of `n`, padded with zeros to `len` limbs (`n` must fit).
pub(super) fn limbs_of(n: &BigUint, len: usize) -> Vec<u64> {
    let mut limbs = n.to_u64_digits();
    debug_assert!(limbs.len() <= len);
    limbs.resize(len, 0);
    limbs
}

/// The number whose little-endian 64-bit limbs are `limbs`.
pub(super) fn biguint_of(limbs: &[u64]) -> BigUint {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// `a >= b` for numbers of the same limb count.
fn at_least(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` on equal-length limb vectors; returns the borrow out of the top limb.
fn subtract_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (x, y) in a.iter_mut().zip(b) {
        let (d, b1) = x.overflowing_sub(*y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *x = d;
        borrow = b1 | b2;
    }
    borrow
}

/// A column sum of 128-bit products: 192 bits, enough for the 2n products of a column.
#[derive(Clone, Copy, Default)]
struct Accumulator {
    low: u128,
    high: u64,
}

impl Accumulator {
    #[inline(always)]
    fn add_product(&mut self, a: u64, b: u64) {
        let (sum, overflow) = self.low.overflowing_add(u128::from(a) * u128::from(b));
        self.low = sum;
        self.high += u64::from(overflow);
    }

    /// Adds twice `other`.
    #[inline(always)]
    fn add_doubled(&mut self, other: Accumulator) {
        let high = (other.high << 1) | (other.low >> 127) as u64;
        let (sum, overflow) = self.low.overflowing_add(other.low << 1);
        self.low = sum;
        self.high += high + u64::from(overflow);
    }

    #[inline(always)]
    fn low_limb(&self) -> u64 {
        self.low as u64
    }

    /// Takes out the lowest limb, shifting the rest down.
    #[inline(always)]
    fn shift_out(&mut self) -> u64 {
        let limb = self.low as u64;
        self.low = (self.low >> 64) | (u128::from(self.high) << 64);
        self.high = 0;
        limb
    }
}

/// An odd modulus with the constants Montgomery arithmetic needs.
pub(in crate::certs) struct Modulus {
    /// The modulus m, little-endian; the top limb is not zero.
    limbs: Vec<u64>,
    /// -m⁻¹ mod 2^64: the multiplier that clears the lowest limb in a reduction step.
    neg_inverse: u64,
    /// R² mod m: multiplying by it (and reducing) brings a number into Montgomery form.
    r_squared: Vec<u64>,
    /// R mod m: one in Montgomery form.
    one: Vec<u64>,
    /// m - (R mod m): minus one in Montgomery form.
    minus_one: Vec<u64>,
}

impl Modulus {
    /// Prepares `m`; `None` unless it is odd (Montgomery reduction needs m coprime to 2^64).
    pub(in crate::certs) fn new(m: &BigUint) -> Option<Modulus> {
        if !m.bit(0) {
            return None;
        }
        let limbs = m.to_u64_digits();
        let len = limbs.len();
        // Newton's iteration doubles the correct low bits of an inverse each step: m·m ≡ 1
        // (mod 8) for odd m, so five steps reach 96 ≥ 64 bits.
        let mut inverse = limbs[0];
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(limbs[0].wrapping_mul(inverse)));
        }
        let r = BigUint::from(1u8) << (64 * len);
        let one = limbs_of(&(&r % m), len);
        let r_squared = limbs_of(&((&r * &r) % m), len);
        let mut minus_one = limbs.clone();
        subtract_in_place(&mut minus_one, &one);
        Some(Modulus {
            limbs,
            neg_inverse: inverse.wrapping_neg(),
            r_squared,
            one,
            minus_one,
        })
    }

    /// The number of limbs of every value modulo this modulus.
    pub(super) fn len(&self) -> usize {
        self.limbs.len()
    }

    /// One, in Montgomery form.
    pub(super) fn one(&self) -> &[u64] {
        &self.one
    }

    /// Whether the Montgomery-form `x` is m - 1, minus one.
    pub(super) fn is_minus_one(&self, x: &[u64]) -> bool {
        x == self.minus_one.as_slice()
    }

    /// A scratch buffer for products (their reduction quotients).
    pub(super) fn scratch(&self) -> Vec<u64> {
        vec![0; self.len()]
    }

    /// `x` (any size) in Montgomery form.
    pub(super) fn to_montgomery(&self, x: &BigUint) -> Vec<u64> {
        let modulus = biguint_of(&self.limbs);
        self.reduced_to_montgomery(&limbs_of(&(x % modulus), self.len()))
    }

    /// `x`, below m and given in as many limbs as m, in Montgomery form.
    pub(super) fn reduced_to_montgomery(&self, x: &[u64]) -> Vec<u64> {
        let mut out = vec![0; self.len()];
        self.multiply(x, &self.r_squared, &mut out, &mut self.scratch());
        out
    }

    /// The number the Montgomery-form `x` stands for: x·1·R⁻¹.
    pub(super) fn out_of_montgomery(&self, x: &[u64]) -> BigUint {
        let mut one = vec![0; self.len()];
        one[0] = 1;
        let mut out = vec![0; self.len()];
        self.multiply(x, &one, &mut out, &mut self.scratch());
        biguint_of(&out)
    }

    /// The last step of a product: the n limbs left after the reductions, plus a carry, are
    /// below 2m, so one subtraction at most brings them below m.
    #[inline(always)]
    fn finish(&self, n: usize, out: &mut [u64], carry: u64) {
        let m = &self.limbs[..n];
        if carry != 0 || at_least(out, m) {
            subtract_in_place(out, m);
        }
    }

    /// `out` = a·b·R⁻¹ mod m for Montgomery-form `a`, `b` below m (`quotients` is scratch).
    pub(super) fn multiply(&self, a: &[u64], b: &[u64], out: &mut [u64], quotients: &mut [u64]) {
        match self.len() {
            8 => self.multiply_fixed::<8>(a, b, out),
            16 => self.multiply_fixed::<16>(a, b, out),
            32 => self.multiply_fixed::<32>(a, b, out),
            _ => self.multiply_any(a, b, out, quotients),
        }
    }

    /// `multiply` for any limb count n, by product scanning with the reduction folded in (Koç,
    /// Acar and Kaliski's "FIPS" method): column k of the result sums every a_i·b_j and q_i·m_j
    /// with i + j = k in a three-limb accumulator, where q_k is picked to clear column k < n.
    fn multiply_any(&self, a: &[u64], b: &[u64], out: &mut [u64], quotients: &mut [u64]) {
        let n = self.len();
        let (a, b, m) = (&a[..n], &b[..n], &self.limbs[..n]);
        let (out, q) = (&mut out[..n], &mut quotients[..n]);
        let mut column = Accumulator::default();
        for k in 0..n {
            for (x, y) in a[..=k].iter().zip(b[..=k].iter().rev()) {
                column.add_product(*x, *y);
            }
            self.clear_low_column(&mut column, q, k);
        }
        for k in n..2 * n - 1 {
            let low = k + 1 - n;
            for (x, y) in a[low..].iter().zip(b[low..].iter().rev()) {
                column.add_product(*x, *y);
            }
            for (x, y) in q[low..].iter().zip(m[low..].iter().rev()) {
                column.add_product(*x, *y);
            }
            out[k - n] = column.shift_out();
        }
        out[n - 1] = column.shift_out();
        self.finish(n, out, column.shift_out());
    }

    /// `multiply` for N limbs, by rows (Koç, Acar and Kaliski's "CIOS" method): with N fixed
    /// the compiler unrolls each row, and the row's two carry chains (of a·b_i and of the
    /// reduction) run side by side.
    #[inline(always)]
    fn multiply_fixed<const N: usize>(&self, a: &[u64], b: &[u64], out: &mut [u64]) {
        let fixed = |x: &[u64]| -> [u64; N] { x[..N].try_into().expect("N limbs") };
        let (a, b, m) = (fixed(a), fixed(b), fixed(&self.limbs));
        let mut t = [0u64; N];
        let mut top = 0u64;
        for bi in b {
            let first = u128::from(t[0]) + u128::from(a[0]) * u128::from(bi);
            let factor = (first as u64).wrapping_mul(self.neg_inverse);
            let cleared = u128::from(first as u64) + u128::from(factor) * u128::from(m[0]);
            let mut product_carry = first >> 64;
            let mut reduction_carry = cleared >> 64;
            for j in 1..N {
                let s = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + product_carry;
                product_carry = s >> 64;
                let r =
                    u128::from(s as u64) + u128::from(factor) * u128::from(m[j]) + reduction_carry;
                reduction_carry = r >> 64;
                t[j - 1] = r as u64;
            }
            let s = u128::from(top) + product_carry + reduction_carry;
            t[N - 1] = s as u64;
            top = (s >> 64) as u64;
        }
        out[..N].copy_from_slice(&t);
        self.finish(N, &mut out[..N], top);
    }

    /// `square` for N limbs (`WIDE` = 2N): the double-width square from each cross product
    /// once, doubled, plus the diagonal; then a Montgomery reduction row by row, whose rows of
    /// fixed length the compiler unrolls.
    #[inline(always)]
    fn square_fixed<const N: usize, const WIDE: usize, const HALF: usize>(
        &self,
        a: &[u64],
        out: &mut [u64],
    ) {
        let a: [u64; N] = a[..N].try_into().expect("N limbs");
        let m: [u64; N] = self.limbs[..N].try_into().expect("N limbs");
        let mut t = [0u64; WIDE];
        // The cross products a_i·a_j, i < j: the two triangles within each half go straight
        // into t (they do not overlap), ...
        for (start, end) in [(0, HALF), (HALF, N)] {
            for i in start..end {
                let mut carry = 0u64;
                for j in i + 1..end {
                    let s = u128::from(t[i + j])
                        + u128::from(a[i]) * u128::from(a[j])
                        + u128::from(carry);
                    t[i + j] = s as u64;
                    carry = (s >> 64) as u64;
                }
                // Rows above started further left: nothing was added to this limb yet.
                t[i + end] = carry;
            }
        }
        // ... and the rectangle low half × high half, in rows of fixed length that the
        // compiler unrolls, is added in at limb HALF.
        let mut rectangle = [0u64; N];
        for i in 0..HALF {
            let mut carry = 0u64;
            for j in 0..HALF {
                let s = u128::from(rectangle[i + j])
                    + u128::from(a[i]) * u128::from(a[HALF + j])
                    + u128::from(carry);
                rectangle[i + j] = s as u64;
                carry = (s >> 64) as u64;
            }
            rectangle[i + HALF] = carry;
        }
        let mut carry = 0u64;
        for (k, r) in rectangle.iter().enumerate() {
            let s = u128::from(t[HALF + k]) + u128::from(*r) + u128::from(carry);
            t[HALF + k] = s as u64;
            carry = (s >> 64) as u64;
        }
        for w in &mut t[HALF + N..] {
            let (sum, overflow) = w.overflowing_add(carry);
            *w = sum;
            carry = u64::from(overflow);
        }
        let mut shifted_out = 0u64;
        for w in t.iter_mut() {
            let next = *w >> 63;
            *w = (*w << 1) | shifted_out;
            shifted_out = next;
        }
        let mut carry = 0u64;
        for i in 0..N {
            let square = u128::from(a[i]) * u128::from(a[i]);
            let low = u128::from(t[2 * i]) + u128::from(square as u64) + u128::from(carry);
            t[2 * i] = low as u64;
            let high = u128::from(t[2 * i + 1]) + (square >> 64) + (low >> 64);
            t[2 * i + 1] = high as u64;
            carry = (high >> 64) as u64;
        }
        // Reduction: row i clears limb i; the carry out of limb i + N waits for the next row.
        let mut top_carry = 0u64;
        for i in 0..N {
            let factor = t[i].wrapping_mul(self.neg_inverse);
            let mut carry = 0u64;
            for j in 0..N {
                let s = u128::from(t[i + j])
                    + u128::from(factor) * u128::from(m[j])
                    + u128::from(carry);
                t[i + j] = s as u64;
                carry = (s >> 64) as u64;
            }
            let s = u128::from(t[i + N]) + u128::from(carry) + u128::from(top_carry);
            t[i + N] = s as u64;
            top_carry = (s >> 64) as u64;
        }
        out[..N].copy_from_slice(&t[N..]);
        self.finish(N, &mut out[..N], top_carry);
    }

    /// Adds the q_i·m_j of column k < n, picks q_k so that the column becomes a multiple of
    /// 2^64, and moves on to the next column.
    #[inline(always)]
    fn clear_low_column(&self, column: &mut Accumulator, q: &mut [u64], k: usize) {
        let m = &self.limbs[..q.len()];
        for (x, y) in q[..k].iter().zip(m[1..=k].iter().rev()) {
            column.add_product(*x, *y);
        }
        q[k] = column.low_limb().wrapping_mul(self.neg_inverse);
        column.add_product(q[k], m[0]);
        let zero = column.shift_out();
        debug_assert_eq!(zero, 0);
    }

    /// `out` = a²·R⁻¹ mod m: as `multiply`, but each cross product a_i·a_j (i < j) is
    /// computed once and doubled, about a quarter fewer limb products.
    pub(super) fn square(&self, a: &[u64], out: &mut [u64], quotients: &mut [u64]) {
        match self.len() {
            8 => self.square_fixed::<8, 16, 4>(a, out),
            16 => self.square_fixed::<16, 32, 8>(a, out),
            32 => self.square_fixed::<32, 64, 16>(a, out),
            _ => self.square_any(a, out, quotients),
        }
    }

    /// `square` for any limb count, by columns as `multiply_any`.
    fn square_any(&self, a: &[u64], out: &mut [u64], quotients: &mut [u64]) {
        let n = self.len();
        let (a, m) = (&a[..n], &self.limbs[..n]);
        let (out, q) = (&mut out[..n], &mut quotients[..n]);
        let mut column = Accumulator::default();
        for k in 0..2 * n - 1 {
            // Pairs (i, k - i) with i < k - i, both below n.
            let low = k.saturating_sub(n - 1);
            let half = k.div_ceil(2);
            let mut cross = Accumulator::default();
            if low < half {
                for (x, y) in a[low..half]
                    .iter()
                    .zip(a[k + 1 - half..=k - low].iter().rev())
                {
                    cross.add_product(*x, *y);
                }
            }
            column.add_doubled(cross);
            if k % 2 == 0 {
                column.add_product(a[k / 2], a[k / 2]);
            }
            if k < n {
                self.clear_low_column(&mut column, q, k);
            } else {
                for (x, y) in q[low..].iter().zip(m[low..].iter().rev()) {
                    column.add_product(*x, *y);
                }
                out[k - n] = column.shift_out();
            }
        }
        out[n - 1] = column.shift_out();
        self.finish(n, out, column.shift_out());
    }

    /// `base`^`exponent` for a Montgomery-form `base`, in Montgomery form.
    pub(super) fn pow_montgomery(&self, base: &[u64], exponent: &[u64]) -> Vec<u64> {
        let n = self.len();
        let bit = |i: usize| (exponent[i / 64] >> (i % 64)) & 1 == 1;
        let bits = exponent.iter().rposition(|&l| l != 0).map_or(0, |top| {
            64 * top + 64 - exponent[top].leading_zeros() as usize
        });
        let mut result = self.one.clone();
        if bits == 0 {
            return result;
        }
        // The window width that minimises squarings plus multiplications for this exponent
        // length (a table of 2^(w-1) odd powers against about bits/(w+1) multiplications).
        let width = match bits {
            0..=23 => 1,
            24..=79 => 3,
            80..=239 => 4,
            240..=671 => 5,
            _ => 6,
        };
        let mut quotients = self.scratch();
        // odd_powers[k] = base^(2k+1).
        let mut odd_powers = vec![base[..n].to_vec()];
        if width > 1 {
            let mut base_squared = vec![0; n];
            self.square(base, &mut base_squared, &mut quotients);
            for k in 1..1usize << (width - 1) {
                let mut next = vec![0; n];
                self.multiply(&odd_powers[k - 1], &base_squared, &mut next, &mut quotients);
                odd_powers.push(next);
            }
        }
        let mut scratch = vec![0; n];
        let mut started = false;
        let mut i = bits; // bits above i are done
        while i > 0 {
            if !bit(i - 1) {
                if started {
                    self.square(&result, &mut scratch, &mut quotients);
                    std::mem::swap(&mut result, &mut scratch);
                }
                i -= 1;
                continue;
            }
            // The longest window of at most `width` bits from bit i-1 down to a set bit.
            let mut low = i.saturating_sub(width);
            while !bit(low) {
                low += 1;
            }
            let value = (low..i)
                .rev()
                .fold(0usize, |v, b| (v << 1) | usize::from(bit(b)));
            let power = &odd_powers[value >> 1];
            if started {
                for _ in low..i {
                    self.square(&result, &mut scratch, &mut quotients);
                    std::mem::swap(&mut result, &mut scratch);
                }
                self.multiply(&result, power, &mut scratch, &mut quotients);
                std::mem::swap(&mut result, &mut scratch);
            } else {
                result.copy_from_slice(power);
                started = true;
            }
            i = low;
        }
        result
    }

    /// 2^`exponent` in Montgomery form: squarings and doublings only, since multiplying by
    /// two is a shift; cheaper than `pow_montgomery` by the window's multiplications.
    pub(super) fn pow_of_two(&self, exponent: &[u64]) -> Vec<u64> {
        let n = self.len();
        let mut result = self.one.clone();
        let mut scratch = vec![0; n];
        let mut quotients = self.scratch();
        let mut started = false;
        for i in (0..64 * exponent.len()).rev() {
            if started {
                self.square(&result, &mut scratch, &mut quotients);
                std::mem::swap(&mut result, &mut scratch);
            }
            if (exponent[i / 64] >> (i % 64)) & 1 == 1 {
                self.double(&mut result);
                started = true;
            }
        }
        result
    }

    /// x = 2x mod m, for x below m.
    fn double(&self, x: &mut [u64]) {
        let mut shifted_out = 0u64;
        for limb in x.iter_mut() {
            let next = *limb >> 63;
            *limb = (*limb << 1) | shifted_out;
            shifted_out = next;
        }
        self.finish(self.len(), x, shifted_out);
    }

    /// `base`^`exponent` mod m.
    pub(in crate::certs) fn pow(&self, base: &BigUint, exponent: &BigUint) -> BigUint {
        let base = self.to_montgomery(base);
        let exponent = exponent.to_u64_digits();
        self.out_of_montgomery(&self.pow_montgomery(&base, &exponent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) so failures reproduce.
    struct Numbers(u64);

    impl Numbers {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A number of exactly `bits` bits (top bit set), or zero for zero bits.
        fn number(&mut self, bits: usize) -> BigUint {
            let limbs: Vec<u64> = (0..bits.div_ceil(64)).map(|_| self.next()).collect();
            let n = biguint_of(&limbs) >> (limbs.len() * 64 - bits);
            if bits == 0 {
                n
            } else {
                n | (BigUint::from(1u8) << (bits - 1))
            }
        }
    }

    #[test]
    fn powers_match_num_bigint_across_sizes() {
        let mut numbers = Numbers(0x9E37_79B9_7F4A_7C15);
        for modulus_bits in [
            2, 3, 7, 63, 64, 65, 127, 128, 129, 200, 512, 1024, 1031, 2048,
        ] {
            for exponent_bits in [0, 1, 2, 5, 24, 64, 80, 240, 700, 1030, 2048] {
                let m = numbers.number(modulus_bits) | BigUint::from(1u8);
                let modulus = Modulus::new(&m).unwrap();
                let base = numbers.number(modulus_bits + 3);
                let exponent = numbers.number(exponent_bits);
                assert_eq!(
                    modulus.pow(&base, &exponent),
                    base.modpow(&exponent, &m),
                    "{base} ^ {exponent} mod {m}"
                );
            }
        }
    }

    #[test]
    fn edge_cases() {
        let three = Modulus::new(&BigUint::from(3u8)).unwrap();
        for (base, exponent, expected) in [(2u8, 0u8, 1u8), (2, 1, 2), (5, 1, 2), (0, 5, 0)] {
            let got = three.pow(&BigUint::from(base), &BigUint::from(exponent));
            assert_eq!(got, BigUint::from(expected), "{base}^{exponent} mod 3");
        }
        // Bases that are multiples of the modulus, or at its edges.
        let m = (BigUint::from(1u8) << 521u32) - 1u8;
        let modulus = Modulus::new(&m).unwrap();
        let e = BigUint::from(65537u32);
        assert_eq!(modulus.pow(&(&m * 7u8), &e), BigUint::ZERO);
        assert_eq!(modulus.pow(&(&m - 1u8), &e), &m - 1u8);
        assert_eq!(modulus.pow(&BigUint::from(1u8), &e), BigUint::from(1u8));
        // One: every power is zero.
        let one = Modulus::new(&BigUint::from(1u8)).unwrap();
        assert_eq!(one.pow(&BigUint::from(5u8), &e), BigUint::ZERO);
        // Even moduli are refused.
        assert!(Modulus::new(&BigUint::from(10u8)).is_none());
        assert!(Modulus::new(&BigUint::ZERO).is_none());
    }

    #[test]
    fn powers_of_two_match_num_bigint() {
        let mut numbers = Numbers(0x2545_F491_4F6C_DD1D);
        for modulus_bits in [2, 3, 64, 65, 512, 1024, 1030, 2048] {
            for exponent_bits in [0, 1, 2, 63, 64, 65, 1023] {
                let m = numbers.number(modulus_bits) | BigUint::from(1u8);
                let modulus = Modulus::new(&m).unwrap();
                let exponent = numbers.number(exponent_bits);
                let power = modulus.pow_of_two(&exponent.to_u64_digits());
                assert_eq!(
                    modulus.out_of_montgomery(&power),
                    BigUint::from(2u8).modpow(&exponent, &m),
                    "2 ^ {exponent} mod {m}"
                );
            }
        }
    }

    #[test]
    fn squares_and_products_with_every_limb_full() {
        // All-ones limbs make every carry chain run its longest, in the fixed-size copies (8,
        // 16, 32 limbs) and the general ones alike.
        for limbs in 1..=33usize {
            let top = BigUint::from(1u8) << (64 * limbs);
            for m in [&top - 1u8, &top - 3u8, (&top >> 1u8) + 1u8] {
                let modulus = Modulus::new(&m).unwrap();
                let mut quotients = modulus.scratch();
                for x in [&m - 1u8, &m - 2u8, &m >> 1u8, BigUint::from(1u8)] {
                    let y = &m - 5u8;
                    let (xm, ym) = (modulus.to_montgomery(&x), modulus.to_montgomery(&y));
                    let mut out = vec![0; limbs];
                    modulus.square(&xm, &mut out, &mut quotients);
                    assert_eq!(
                        modulus.out_of_montgomery(&out),
                        (&x * &x) % &m,
                        "{x}² mod {m}"
                    );
                    modulus.multiply(&xm, &ym, &mut out, &mut quotients);
                    assert_eq!(
                        modulus.out_of_montgomery(&out),
                        (&x * &y) % &m,
                        "{x}·{y} mod {m}"
                    );
                }
            }
        }
    }

    #[test]
    fn montgomery_helpers() {
        let m = BigUint::from(1_000_003u32);
        let modulus = Modulus::new(&m).unwrap();
        assert_eq!(modulus.out_of_montgomery(modulus.one()), BigUint::from(1u8));
        let minus_one = modulus.to_montgomery(&(&m - 1u8));
        assert!(modulus.is_minus_one(&minus_one));
        assert!(!modulus.is_minus_one(modulus.one()));
        let x = BigUint::from(123_456u32);
        let mut quotients = modulus.scratch();
        let mut out = vec![0; modulus.len()];
        modulus.square(&modulus.to_montgomery(&x), &mut out, &mut quotients);
        assert_eq!(modulus.out_of_montgomery(&out), (&x * &x) % &m);
    }
}

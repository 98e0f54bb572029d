//! The shuffled clave keypad: the order of the ten digit keys, derived from a seed the shell supplies
//! for each entry, so that someone watching the customer's hand learns nothing.

use serde::{Deserialize, Serialize};

/// Ten keys; `keys[position]` is the digit printed on the key at that position (row by row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuffledKeypad {
    pub keys: [u8; 10],
}

impl ShuffledKeypad {
    /// A Fisher–Yates shuffle driven by splitmix64 on `seed`: deterministic for a given seed (tests),
    /// unpredictable when the shell passes fresh entropy. Hand-written because it is eight lines and pulling
    /// a random-number crate into a crate that must not use randomness would invite misuse.
    pub fn from_seed(seed: u64) -> Self {
        let mut state = seed;
        let mut keys = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        for i in (1..keys.len()).rev() {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let j = (z % (i as u64 + 1)) as usize;
            keys.swap(i, j);
        }
        Self { keys }
    }

    /// The digit on the key at `position`, if there is such a key.
    pub fn digit_at(&self, position: usize) -> Option<u8> {
        self.keys.get(position).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_gives_a_permutation_and_seeds_differ() {
        let mut layouts = std::collections::HashSet::new();
        for seed in 0..200u64 {
            let pad = ShuffledKeypad::from_seed(seed);
            let mut sorted = pad.keys;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            layouts.insert(pad.keys);
        }
        assert!(layouts.len() > 190, "only {} distinct layouts", layouts.len());
        assert_eq!(ShuffledKeypad::from_seed(7), ShuffledKeypad::from_seed(7));
    }
}

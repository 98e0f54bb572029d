//! Within reach (ADA 2010 §308, issue 17): where on the window a standing or seated customer can touch, and
//! how large a touch target and a keypad key must be, from the panel's mounted geometry and the window's size.

use crate::settings::DisplaySettings;

/// Highest point a customer reaches, in mm above the floor (ADA 308.2.1 / 308.3.1, unobstructed).
pub const REACH_HIGH_MM: f32 = 1_220.0;
/// Lowest point a customer reaches, in mm above the floor.
pub const REACH_LOW_MM: f32 = 380.0;
/// Smallest side of a keypad key (a numeric or letter key of an on-screen keypad).
pub const KEY_MIN_MM: f32 = 19.0;
/// Smallest side of any other touch target (a button, a list entry, a tile).
pub const TARGET_MIN_MM: f32 = 15.0;

/// The kiosk's standard landscape panel: 19" 5:4, picture 376 × 301 mm.
pub const LANDSCAPE_PANEL_MM: (f32, f32) = (376.0, 301.0);
/// The kiosk's standard portrait panel: 21.5" 16:9 stood upright, picture 268 × 476 mm.
pub const PORTRAIT_PANEL_MM: (f32, f32) = (268.0, 476.0);

/// The reach band of a window, in the window's pixels (y grows downwards from its top edge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Pixels per mm across the panel and down it.
    pub px_per_mm: (f32, f32),
    /// First row a customer reaches: where 1,220 mm above the floor falls, 0 when the panel's top is lower.
    pub top: f32,
    /// Last row a customer reaches: where 380 mm above the floor falls, the window's height when the panel's
    /// bottom is higher. `top == bottom` when no part of the panel is within reach.
    pub bottom: f32,
    /// Smallest side of a keypad key, in pixels (19 mm, in the panel's coarser direction).
    pub key_min: f32,
    /// Smallest side of any touch target, in pixels (15 mm).
    pub target_min: f32,
}

impl Reach {
    /// The band of a `width` × `height` pixel window filling the panel `display` describes (its `width_mm`
    /// and `height_mm`, or the standard panel of the window's shape when they are 0).
    pub fn of(display: &DisplaySettings, width: f32, height: f32) -> Self {
        let (panel_w, panel_h) = if display.width_mm > 0 && display.height_mm > 0 {
            (display.width_mm as f32, display.height_mm as f32)
        } else if height > width {
            PORTRAIT_PANEL_MM
        } else {
            LANDSCAPE_PANEL_MM
        };
        let (width, height) = (width.max(0.0), height.max(0.0));
        let px_per_mm = (width / panel_w, height / panel_h);
        let panel_top_mm = display.bottom_above_floor_mm as f32 + panel_h;
        // A height above the floor as a row of the window, kept on the window.
        let row = |above_floor_mm: f32| ((panel_top_mm - above_floor_mm) * px_per_mm.1).clamp(0.0, height);
        let coarse = px_per_mm.0.max(px_per_mm.1);
        Self {
            px_per_mm,
            top: row(REACH_HIGH_MM),
            bottom: row(REACH_LOW_MM),
            key_min: KEY_MIN_MM * coarse,
            target_min: TARGET_MIN_MM * coarse,
        }
    }

    /// Whether a target from `y` to `bottom` (pixels) lies wholly inside the band.
    pub fn holds(&self, y: f32, bottom: f32) -> bool {
        y >= self.top - 0.5 && bottom <= self.bottom + 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn display(width_mm: u32, height_mm: u32, bottom: u32) -> DisplaySettings {
        DisplaySettings { width_mm, height_mm, bottom_above_floor_mm: bottom, ..DisplaySettings::default() }
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 0.5
    }

    #[test]
    fn the_standard_portrait_panel_reaches_from_a_fifth_down_to_its_bottom() {
        let reach = Reach::of(&DisplaySettings::default(), 1080.0, 1920.0);
        // 476 mm tall from 850 mm: its top at 1,326 mm, so 106 mm of it are above the reach.
        assert!(close(reach.top, 106.0 * 1920.0 / 476.0), "{reach:?}");
        assert!(close(reach.bottom, 1920.0), "{reach:?}");
        assert!(close(reach.key_min, 19.0 * 1920.0 / 476.0), "{reach:?}");
        assert!(close(reach.target_min, 15.0 * 1920.0 / 476.0), "{reach:?}");
        assert!(reach.key_min > 72.0, "the landscape touch size is too small for a key here: {reach:?}");
    }

    #[test]
    fn the_standard_landscape_panel_is_within_reach_everywhere() {
        let reach = Reach::of(&DisplaySettings::default(), 1280.0, 1024.0);
        assert_eq!((reach.top, reach.bottom), (0.0, 1024.0));
        assert!(close(reach.key_min, 19.0 * 1280.0 / 376.0), "{reach:?}");
        assert!(reach.key_min < 72.0 && reach.target_min < 72.0, "{reach:?}");
    }

    #[test]
    fn a_panel_mounted_higher_loses_its_upper_part_and_one_mounted_low_its_lower_part() {
        let high = Reach::of(&display(0, 0, 1_100), 1080.0, 1920.0);
        // Top at 1,576 mm: the reach starts 356 mm down, and the bottom (1,100 mm) is still reached.
        assert!(close(high.top, 356.0 * 1920.0 / 476.0), "{high:?}");
        assert!(close(high.bottom, 1920.0), "{high:?}");
        let low = Reach::of(&display(0, 0, 200), 1080.0, 1920.0);
        // Top at 676 mm: all reachable above; the bottom 180 mm (200 to 380 mm) are too low.
        assert_eq!(low.top, 0.0);
        assert!(close(low.bottom, (676.0 - 380.0) * 1920.0 / 476.0), "{low:?}");
        let out = Reach::of(&display(0, 0, 1_300), 1080.0, 1920.0);
        assert_eq!((out.top, out.bottom), (1920.0, 1920.0), "a panel above any reach");
    }

    #[test]
    fn a_configured_panel_size_sets_the_scale_whatever_the_window() {
        // A 32" portrait panel (398 × 708 mm) at the same pixels: larger millimetres, fewer pixels per mm.
        let big = Reach::of(&display(398, 708, 700), 1080.0, 1920.0);
        assert!(close(big.px_per_mm.1, 1920.0 / 708.0), "{big:?}");
        assert!(close(big.top, (1_408.0 - 1_220.0) * 1920.0 / 708.0), "{big:?}");
        assert!(close(big.key_min, 19.0 * 1920.0 / 708.0), "{big:?}");
        // The same window, smaller and landscape-shaped: the standard landscape panel.
        let half = Reach::of(&DisplaySettings::default(), 640.0, 512.0);
        assert!(close(half.key_min, 19.0 * 640.0 / 376.0), "{half:?}");
    }

    #[test]
    fn holds_is_the_band_inclusive() {
        let reach = Reach::of(&DisplaySettings::default(), 1080.0, 1920.0);
        assert!(reach.holds(reach.top, 1920.0));
        assert!(!reach.holds(reach.top - 2.0, reach.top + 100.0));
        assert!(!reach.holds(1_800.0, 1_930.0));
    }
}

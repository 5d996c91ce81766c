//! A setup code as a PNG `data:` URL, which the real gateway answers as `qrDataUrl`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use qrcode::{Color, QrCode};

/// Pixels per QR module, and the quiet zone in modules.
const SCALE: usize = 6;
const QUIET: usize = 4;

/// The QR code of `data` as `data:image/png;base64,...`; `None` when it cannot be drawn.
pub fn png_data_url(data: &str) -> Option<String> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(format!("data:image/png;base64,{}", STANDARD.encode(png)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_setup_code_draws_as_a_png() {
        let url = super::png_data_url("eyJ1cmwiOiJ3czovLzEyNy4wLjAuMToxIn0").unwrap();
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            url.strip_prefix("data:image/png;base64,").unwrap(),
        )
        .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}

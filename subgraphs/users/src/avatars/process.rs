//! Uploaded bytes to avatar pictures: check that the bytes are the declared
//! kind of image, decode them within pixel and memory limits (decompression
//! bombs), turn them upright (EXIF orientation), crop the centred square and
//! encode each size. Re-encoding from pixels is what strips every piece of
//! metadata (EXIF, GPS, ICC, comments, further GIF frames).
//!
//! Opaque pictures are stored as JPEG (quality 85), pictures with
//! transparency as lossless WebP. Measured on real photos at 512 px:
//! lossless WebP 400-530 kB (often more than the upload), PNG about the
//! same, JPEG q85 70-110 kB; lossy WebP would need libwebp (C). Drawings
//! with transparency are flat and small in lossless WebP.
//!
//! Pure and CPU-bound: callers run it on the blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder as _, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest as _, Sha256};

/// The sizes stored, in pixels a side, largest first.
pub const SIZES: [u32; 2] = [512, 128];
/// Longest side accepted.
pub const MAX_SIDE: u32 = 8192;
/// Most pixels accepted (a 48 MP phone photo is refused; 40 MP is not).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most memory a decoder may allocate. RGBA at [`MAX_PIXELS`] is 160 MB.
const MAX_ALLOC: u64 = 192 * 1024 * 1024;
/// JPEG quality of opaque pictures.
const JPEG_QUALITY: u8 = 85;

/// How a stored picture is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    /// Opaque pictures.
    Jpeg,
    /// Pictures with transparency (lossless).
    Webp,
}

impl PictureFormat {
    pub const fn extension(self) -> &'static str {
        match self {
            PictureFormat::Jpeg => "jpg",
            PictureFormat::Webp => "webp",
        }
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        [PictureFormat::Jpeg, PictureFormat::Webp]
            .into_iter()
            .find(|f| f.extension() == extension)
    }

    pub const fn media_type(self) -> &'static str {
        match self {
            PictureFormat::Jpeg => "image/jpeg",
            PictureFormat::Webp => "image/webp",
        }
    }
}

/// The image types accepted for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl SourceType {
    pub const ALL: [SourceType; 4] = [
        SourceType::Jpeg,
        SourceType::Png,
        SourceType::Webp,
        SourceType::Gif,
    ];

    /// The type of a `Content-Type` value: its media type, ignoring case and
    /// surrounding blanks; no parameters.
    pub fn from_media_type(value: &str) -> Option<Self> {
        let value = value.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.media_type().eq_ignore_ascii_case(value))
    }

    pub const fn media_type(self) -> &'static str {
        match self {
            SourceType::Jpeg => "image/jpeg",
            SourceType::Png => "image/png",
            SourceType::Webp => "image/webp",
            SourceType::Gif => "image/gif",
        }
    }

    /// Short stable code, used in upload tokens.
    pub const fn code(self) -> &'static str {
        match self {
            SourceType::Jpeg => "jpeg",
            SourceType::Png => "png",
            SourceType::Webp => "webp",
            SourceType::Gif => "gif",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    const fn format(self) -> ImageFormat {
        match self {
            SourceType::Jpeg => ImageFormat::Jpeg,
            SourceType::Png => ImageFormat::Png,
            SourceType::Webp => ImageFormat::WebP,
            SourceType::Gif => ImageFormat::Gif,
        }
    }

    /// What the first bytes say the file is (magic numbers), if one of ours.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let format = image::guess_format(bytes).ok()?;
        Self::ALL.into_iter().find(|t| t.format() == format)
    }

    /// "image/jpeg, image/png, image/webp, image/gif"
    pub fn list() -> String {
        Self::ALL.map(Self::media_type).join(", ")
    }
}

/// Why an upload is not a usable picture. The messages are for clients.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("the file is not a JPEG, PNG, WebP or GIF image")]
    UnknownType,
    #[error(
        "the file is a {} image, but the upload was declared as {}",
        found.media_type(),
        declared.media_type()
    )]
    WrongType {
        declared: SourceType,
        found: SourceType,
    },
    #[error(
        "the image is too large: at most {MAX_SIDE} pixels a side and {} megapixels in all",
        MAX_PIXELS / 1_000_000
    )]
    TooManyPixels,
    #[error("the image could not be decoded: the file is truncated or corrupt")]
    Corrupt(#[source] ImageError),
    /// Our fault, not the upload's.
    #[error("encoding the avatar failed")]
    Encode(#[source] ImageError),
}

/// One stored size.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Pixels a side.
    pub size: u32,
    /// The encoded file.
    pub bytes: Vec<u8>,
}

/// The pictures to store.
#[derive(Debug, Clone)]
pub struct Processed {
    /// `<32 hex digits of SHA-256 over every variant>.<extension>`: same
    /// pictures, same key.
    pub key: String,
    pub format: PictureFormat,
    /// One per [`SIZES`] entry, in that order.
    pub variants: Vec<Variant>,
    /// Dimensions of the upload as decoded (before turning upright).
    pub source_width: u32,
    pub source_height: u32,
}

/// Decodes `bytes`, declared as `declared`, into the stored sizes.
pub fn process(bytes: &[u8], declared: SourceType) -> Result<Processed, ProcessError> {
    let found = SourceType::sniff(bytes).ok_or(ProcessError::UnknownType)?;
    if found != declared {
        return Err(ProcessError::WrongType { declared, found });
    }
    let (image, source_width, source_height) = decode(bytes, declared)?;
    let square = centred_square(image);
    let format = if square.color().has_alpha() {
        PictureFormat::Webp
    } else {
        PictureFormat::Jpeg
    };
    let mut variants = Vec::with_capacity(SIZES.len());
    let mut previous: Option<DynamicImage> = None;
    for size in SIZES {
        // Each size from the next larger one: far cheaper than from the
        // original, and area averaging keeps the quality.
        let source = previous.as_ref().unwrap_or(&square);
        let resized = resize(source, size);
        variants.push(Variant {
            size,
            bytes: encode(&resized, format)?,
        });
        previous = Some(resized);
    }
    Ok(Processed {
        key: format!("{}.{}", content_hash(&variants), format.extension()),
        format,
        variants,
        source_width,
        source_height,
    })
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// The first frame, upright, with the dimensions as stored in the file.
fn decode(bytes: &[u8], kind: SourceType) -> Result<(DynamicImage, u32, u32), ProcessError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits());
    // Reads only the header; the limits refuse huge dimensions here, before
    // any pixel buffer exists.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || decoder.total_bytes() > MAX_ALLOC {
        return Err(ProcessError::TooManyPixels);
    }
    if width == 0 || height == 0 {
        return Err(ProcessError::Corrupt(ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::DimensionError),
        )));
    }
    // A picture with a broken EXIF block is still a picture.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok((image, width, height))
}

fn decode_error(err: ImageError) -> ProcessError {
    match err {
        ImageError::Limits(_) => ProcessError::TooManyPixels,
        other => ProcessError::Corrupt(other),
    }
}

/// The centred square, 8 bits a channel; with alpha only if some pixel is
/// not opaque (many PNGs carry an alpha channel they do not use).
fn centred_square(image: DynamicImage) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    let side = width.min(height);
    let square = if width == height {
        image
    } else {
        image.crop_imm((width - side) / 2, (height - side) / 2, side, side)
    };
    if square.color().has_alpha() {
        let rgba = square.into_rgba8();
        if rgba.pixels().any(|p| p[3] < u8::MAX) {
            return DynamicImage::ImageRgba8(rgba);
        }
        return DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8());
    }
    DynamicImage::ImageRgb8(square.into_rgb8())
}

/// `image` scaled to `size` a side: area averaging down, Catmull-Rom up
/// (a small source is enlarged, so every stored size is what it says).
fn resize(image: &DynamicImage, size: u32) -> DynamicImage {
    match image.width().cmp(&size) {
        std::cmp::Ordering::Equal => image.clone(),
        std::cmp::Ordering::Greater => image.thumbnail_exact(size, size),
        std::cmp::Ordering::Less => image.resize_exact(size, size, FilterType::CatmullRom),
    }
}

fn encode(image: &DynamicImage, format: PictureFormat) -> Result<Vec<u8>, ProcessError> {
    let mut out = Vec::new();
    match format {
        PictureFormat::Jpeg => {
            image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        }
        PictureFormat::Webp => image.write_with_encoder(WebPEncoder::new_lossless(&mut out)),
    }
    .map_err(ProcessError::Encode)?;
    Ok(out)
}

fn content_hash(variants: &[Variant]) -> String {
    let mut hash = Sha256::new();
    for variant in variants {
        hash.update(variant.size.to_be_bytes());
        hash.update((variant.bytes.len() as u64).to_be_bytes());
        hash.update(&variant.bytes);
    }
    hex::encode(&hash.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder as _, Rgb, RgbImage, Rgba, RgbaImage};

    fn photo(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
        })
    }

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn media_types() {
        assert_eq!(
            SourceType::from_media_type(" Image/PNG "),
            Some(SourceType::Png)
        );
        for bad in ["image/jpg", "image/png; x=1", "image/svg+xml", "", "png"] {
            assert_eq!(SourceType::from_media_type(bad), None, "{bad}");
        }
        for t in SourceType::ALL {
            assert_eq!(SourceType::from_code(t.code()), Some(t));
        }
    }

    #[test]
    fn every_accepted_type_becomes_square_webp_of_each_size() {
        let source = DynamicImage::ImageRgb8(photo(300, 200));
        for (format, kind) in [
            (ImageFormat::Jpeg, SourceType::Jpeg),
            (ImageFormat::Png, SourceType::Png),
            (ImageFormat::WebP, SourceType::Webp),
            (ImageFormat::Gif, SourceType::Gif),
        ] {
            let bytes = encoded(&source, format);
            let out = process(&bytes, kind).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!((out.source_width, out.source_height), (300, 200));
            assert_eq!(out.format, PictureFormat::Jpeg);
            assert_eq!(out.key.len(), 36);
            assert_eq!(out.key.split_once('.').unwrap().1, "jpg", "{}", out.key);
            assert_eq!(out.variants.len(), SIZES.len());
            for (variant, size) in out.variants.iter().zip(SIZES) {
                assert_eq!(variant.size, size);
                let decoded = image::load_from_memory(&variant.bytes).unwrap();
                assert_eq!(
                    image::guess_format(&variant.bytes).unwrap(),
                    ImageFormat::Jpeg
                );
                assert_eq!((decoded.width(), decoded.height()), (size, size));
            }
        }
    }

    #[test]
    fn the_centre_is_kept_and_alpha_survives() {
        // Red left third, green middle, blue right third, half transparent.
        let source = RgbaImage::from_fn(300, 100, |x, _| match x / 100 {
            0 => Rgba([255, 0, 0, 128]),
            1 => Rgba([0, 255, 0, 128]),
            _ => Rgba([0, 0, 255, 128]),
        });
        let bytes = encoded(&DynamicImage::ImageRgba8(source), ImageFormat::Png);
        let out = process(&bytes, SourceType::Png).unwrap();
        assert_eq!(out.format, PictureFormat::Webp);
        assert_eq!(out.key.split_once('.').unwrap().1, "webp", "{}", out.key);
        let small = image::load_from_memory(&out.variants[1].bytes)
            .unwrap()
            .into_rgba8();
        for pixel in [small.get_pixel(0, 0), small.get_pixel(127, 127)] {
            assert!(
                pixel[1] > 200 && pixel[0] < 50 && pixel[2] < 50,
                "{pixel:?}"
            );
            assert!((120..=136).contains(&pixel[3]), "{pixel:?}");
        }
    }

    #[test]
    fn exif_orientation_is_applied_and_metadata_dropped() {
        // A 200x100 JPEG whose EXIF says "rotate 90° clockwise".
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut jpeg);
        let exif: Vec<u8> = [
            b"MM\0\x2a\0\0\0\x08".as_slice(),
            &[0, 1],                                     // one entry
            &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0], // Orientation = 6
            &[0, 0, 0, 0],
        ]
        .concat();
        encoder.set_exif_metadata(exif).unwrap();
        encoder
            .write_image(
                photo(200, 100).as_raw(),
                200,
                100,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        let mut reader = ImageReader::with_format(Cursor::new(&jpeg), ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
        assert_eq!(
            reader.orientation().unwrap(),
            image::metadata::Orientation::Rotate90
        );
        let (image, ..) = decode(&jpeg, SourceType::Jpeg).unwrap();
        assert_eq!((image.width(), image.height()), (100, 200));

        let out = process(&jpeg, SourceType::Jpeg).unwrap();
        for variant in &out.variants {
            let mut decoder =
                image::codecs::jpeg::JpegDecoder::new(Cursor::new(&variant.bytes)).unwrap();
            assert_eq!(decoder.exif_metadata().unwrap(), None);
            assert_eq!(decoder.icc_profile().unwrap(), None);
        }
        // Transparent pictures are WebP: no metadata there either.
        let mut png = encoded(
            &DynamicImage::ImageRgba8(RgbaImage::from_pixel(32, 32, Rgba([1, 2, 3, 4]))),
            ImageFormat::Png,
        );
        // An eXIf chunk right after IHDR (8 bytes signature + 25 bytes IHDR).
        let exif_chunk = [b"eXIf".as_slice(), b"MM\0\x2a\0\0\0\x08\0\0\0\0\0\0"].concat();
        let mut chunk = ((exif_chunk.len() - 4) as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(&exif_chunk);
        chunk.extend_from_slice(&crc32(&exif_chunk).to_be_bytes());
        png.splice(33..33, chunk);
        let mut decoder = image::codecs::png::PngDecoder::new(Cursor::new(&png)).unwrap();
        assert!(decoder.exif_metadata().unwrap().is_some());
        let out = process(&png, SourceType::Png).unwrap();
        assert_eq!(out.format, PictureFormat::Webp);
        for variant in &out.variants {
            let mut decoder =
                image::codecs::webp::WebPDecoder::new(Cursor::new(&variant.bytes)).unwrap();
            assert_eq!(decoder.exif_metadata().unwrap(), None);
        }
    }

    #[test]
    fn an_unused_alpha_channel_is_dropped() {
        let opaque = RgbaImage::from_pixel(40, 40, Rgba([10, 20, 30, 255]));
        let bytes = encoded(&DynamicImage::ImageRgba8(opaque), ImageFormat::Png);
        assert_eq!(
            process(&bytes, SourceType::Png).unwrap().format,
            PictureFormat::Jpeg
        );
    }

    #[test]
    fn the_same_picture_gets_the_same_key() {
        let bytes = encoded(&DynamicImage::ImageRgb8(photo(64, 64)), ImageFormat::Png);
        let a = process(&bytes, SourceType::Png).unwrap();
        let b = process(&bytes, SourceType::Png).unwrap();
        assert_eq!(a.key, b.key);
        let other = encoded(&DynamicImage::ImageRgb8(photo(64, 65)), ImageFormat::Png);
        assert_ne!(process(&other, SourceType::Png).unwrap().key, a.key);
    }

    #[test]
    fn bytes_must_be_the_declared_type() {
        let png = encoded(&DynamicImage::ImageRgb8(photo(8, 8)), ImageFormat::Png);
        let err = process(&png, SourceType::Jpeg).unwrap_err();
        assert!(matches!(
            err,
            ProcessError::WrongType {
                declared: SourceType::Jpeg,
                found: SourceType::Png
            }
        ));
        assert_eq!(
            err.to_string(),
            "the file is a image/png image, but the upload was declared as image/jpeg"
        );
        for junk in [
            &b""[..],
            b"hello",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"BM\0\0",
        ] {
            assert!(matches!(
                process(junk, SourceType::Png),
                Err(ProcessError::UnknownType)
            ));
        }
    }

    #[test]
    fn truncated_files_are_corrupt() {
        let source = DynamicImage::ImageRgb8(photo(64, 64));
        for (format, kind) in [
            (ImageFormat::Jpeg, SourceType::Jpeg),
            (ImageFormat::Png, SourceType::Png),
            (ImageFormat::Gif, SourceType::Gif),
            (ImageFormat::WebP, SourceType::Webp),
        ] {
            let bytes = encoded(&source, format);
            let cut = &bytes[..bytes.len() / 2];
            assert!(
                matches!(process(cut, kind), Err(ProcessError::Corrupt(_))),
                "{kind:?}"
            );
        }
    }

    /// A valid PNG header for `width` x `height` followed by a tiny IDAT:
    /// a few dozen bytes that would decode to gigabytes.
    fn png_bomb(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = png.len();
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            let crc = crc32(&png[start..]);
            png.extend_from_slice(&crc.to_be_bytes());
        };
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        png
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn pixel_bombs_are_refused_before_decoding() {
        for (w, h) in [(100_000, 100_000), (MAX_SIDE + 1, 1), (8000, 8000)] {
            let bomb = png_bomb(w, h);
            assert!(bomb.len() < 100);
            let started = std::time::Instant::now();
            assert!(
                matches!(
                    process(&bomb, SourceType::Png),
                    Err(ProcessError::TooManyPixels)
                ),
                "{w}x{h}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }

    #[test]
    fn gif_first_frame_only() {
        use image::codecs::gif::GifEncoder;
        use image::{Delay, Frame};
        let frame = |colour: [u8; 4]| {
            Frame::from_parts(
                RgbaImage::from_pixel(16, 16, Rgba(colour)),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            )
        };
        let mut gif = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut gif);
            encoder
                .encode_frames([frame([255, 0, 0, 255]), frame([0, 0, 255, 255])])
                .unwrap();
        }
        let out = process(&gif, SourceType::Gif).unwrap();
        let small = image::load_from_memory(&out.variants[1].bytes)
            .unwrap()
            .into_rgba8();
        let pixel = small.get_pixel(64, 64);
        assert!(pixel[0] > 200 && pixel[2] < 50, "{pixel:?}");
    }
}

//! Who may connect (`device`: device pairing, spec §3.1) and what a connected node may be
//! asked to do (`surface`: node surface pairing, spec §3.2). The `device.pair.*` and
//! `node.pair.*` methods that operators call are in `methods`.

pub mod bootstrap;
pub mod device;
pub mod qr_image;
pub mod setup;
pub mod surface;
pub mod trusted_cidr;

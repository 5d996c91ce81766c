//! The contract's rules: one package, one version line, every item dated, and every released
//! version still served item for item.

use std::path::{Path, PathBuf};

use wit_parser::{
    Function, InterfaceId, PackageId, Resolve, Stability, Type, TypeDefKind, TypeOwner,
};

use super::{version, FILES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.wit` files directly in `dir`, by name, with their text.
fn wit_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn built_in() -> Vec<(String, String)> {
    let mut files: Vec<_> = FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_file_of_the_package_is_built_in_and_the_sdk_carries_the_same() {
    assert_eq!(
        wit_files(&root().join("wit")),
        built_in(),
        "list every wit/*.wit in FILES"
    );
    assert_eq!(
        wit_files(&root().join("sdk/rust/wit")),
        built_in(),
        "sdk/rust/wit differs from wit/: copy wit/*.wit into the SDK"
    );
}

#[test]
fn only_world_wit_writes_the_version() {
    for (name, text) in FILES {
        let lines = text
            .lines()
            .filter(|l| l.trim_start().starts_with("package "));
        let expected = usize::from(*name == "world.wit");
        assert_eq!(lines.count(), expected, "{name}");
    }
    assert!(version().starts_with("0.1."), "{}", version());
}

fn current() -> (Resolve, PackageId) {
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(root().join("wit")).unwrap();
    (resolve, package)
}

fn released(file: &Path) -> (Resolve, PackageId) {
    let mut resolve = Resolve::default();
    let package = resolve.push_file(file).unwrap();
    (resolve, package)
}

/// The released copies, oldest first: `wit/released/<version>.wit`.
fn releases() -> Vec<(semver::Version, PathBuf)> {
    let mut found: Vec<_> = std::fs::read_dir(root().join("wit/released"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (semver::Version::parse(&stem).unwrap(), p)
        })
        .collect();
    found.sort();
    found
}

fn since(stability: &Stability) -> Option<&semver::Version> {
    match stability {
        Stability::Stable { since, .. } => Some(since),
        _ => None,
    }
}

fn deprecated(stability: &Stability) -> bool {
    matches!(
        stability,
        Stability::Stable {
            deprecated: Some(_),
            ..
        }
    )
}

#[test]
fn every_item_says_when_it_came() {
    let (resolve, package) = current();
    let mut undated = Vec::new();
    for (name, &id) in &resolve.packages[package].interfaces {
        let interface = &resolve.interfaces[id];
        if since(&interface.stability).is_none() {
            undated.push(name.clone());
        }
        for (item, function) in &interface.functions {
            if since(&function.stability).is_none() {
                undated.push(format!("{name}.{item}"));
            }
        }
        for (item, &ty) in &interface.types {
            let def = &resolve.types[ty];
            // A `use` brings a type dated where it is defined.
            let used = matches!(def.kind, TypeDefKind::Type(Type::Id(other))
                if resolve.types[other].owner != TypeOwner::Interface(id));
            if !used && since(&def.stability).is_none() {
                undated.push(format!("{name}.{item}"));
            }
        }
    }
    for (_, world) in resolve.worlds.iter() {
        if since(&world.stability).is_none() {
            undated.push(world.name.clone());
        }
    }
    assert!(undated.is_empty(), "no @since on: {undated:?}");
}

/// A type written out in full, so that two packages' types compare by structure.
fn shape(resolve: &Resolve, ty: &Type) -> String {
    let Type::Id(id) = ty else {
        return format!("{ty:?}");
    };
    let list = |items: Vec<String>| items.join(", ");
    match &resolve.types[*id].kind {
        TypeDefKind::Record(r) => format!(
            "record{{{}}}",
            list(
                r.fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, shape(resolve, &f.ty)))
                    .collect()
            )
        ),
        TypeDefKind::Enum(e) => format!(
            "enum{{{}}}",
            list(e.cases.iter().map(|c| c.name.clone()).collect())
        ),
        TypeDefKind::Flags(f) => format!(
            "flags{{{}}}",
            list(f.flags.iter().map(|c| c.name.clone()).collect())
        ),
        TypeDefKind::Variant(v) => format!(
            "variant{{{}}}",
            list(
                v.cases
                    .iter()
                    .map(|c| format!("{}({})", c.name, optional(resolve, c.ty.as_ref())))
                    .collect()
            )
        ),
        TypeDefKind::Tuple(t) => format!(
            "tuple<{}>",
            list(t.types.iter().map(|t| shape(resolve, t)).collect())
        ),
        TypeDefKind::Option(t) => format!("option<{}>", shape(resolve, t)),
        TypeDefKind::List(t) => format!("list<{}>", shape(resolve, t)),
        TypeDefKind::Result(r) => format!(
            "result<{}, {}>",
            optional(resolve, r.ok.as_ref()),
            optional(resolve, r.err.as_ref())
        ),
        TypeDefKind::Type(t) => shape(resolve, t),
        other => format!("{other:?}"),
    }
}

fn optional(resolve: &Resolve, ty: Option<&Type>) -> String {
    ty.map_or("_".into(), |t| shape(resolve, t))
}

fn signature(resolve: &Resolve, f: &Function) -> String {
    let params: Vec<_> = f
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, shape(resolve, &p.ty)))
        .collect();
    format!(
        "func({}) -> {}",
        params.join(", "),
        optional(resolve, f.result.as_ref())
    )
}

/// Every function and type of `interface`, with its shape, and whether it is deprecated.
fn items(resolve: &Resolve, interface: InterfaceId) -> Vec<(String, String, bool)> {
    let interface = &resolve.interfaces[interface];
    let functions = interface.functions.iter().map(|(name, f)| {
        (
            name.clone(),
            signature(resolve, f),
            deprecated(&f.stability),
        )
    });
    let types = interface.types.iter().map(|(name, &ty)| {
        let def = &resolve.types[ty];
        (
            name.clone(),
            shape(resolve, &Type::Id(ty)),
            deprecated(&def.stability),
        )
    });
    let mut all: Vec<_> = functions.chain(types).collect();
    all.sort();
    all
}

#[test]
fn every_released_version_is_served_item_for_item() {
    let (now, package) = current();
    let interfaces = &now.packages[package].interfaces;
    let releases = releases();
    assert_eq!(releases[0].0.to_string(), "0.1.0");
    for (number, file) in &releases {
        let (old, old_package) = released(file);
        assert_eq!(
            old.packages[old_package].name.version.as_ref(),
            Some(number),
            "{} declares another version",
            file.display()
        );
        for (name, &old_id) in &old.packages[old_package].interfaces {
            let id = interfaces
                .get(name)
                .unwrap_or_else(|| panic!("{number} has interface {name}, which is gone"));
            let dated = since(&now.interfaces[*id].stability).unwrap();
            assert!(
                dated <= number,
                "{name} is dated {dated}, but {number} has it"
            );
            let served = items(&now, *id);
            for (item, old_shape, _) in items(&old, old_id) {
                let kept = served.iter().find(|(n, _, _)| *n == item);
                let Some((_, shape, _)) = kept else {
                    panic!("{number}'s {name}.{item} was removed: mark it @deprecated instead");
                };
                assert_eq!(*shape, old_shape, "{number}'s {name}.{item} changed");
            }
        }
    }
}

/// Adding to the contract takes a new version: the copy of the current version must be the
/// package as it is, but for the items it deprecates.
#[test]
fn the_current_version_is_released_as_it_is() {
    let current_version = semver::Version::parse(version()).unwrap();
    let (number, file) = releases().pop().unwrap();
    assert_eq!(
        number, current_version,
        "copy the contract into wit/released/{current_version}.wit"
    );
    let (now, package) = current();
    let (copy, copy_package) = released(&file);
    let live = |resolve: &Resolve, package: PackageId| {
        let mut all = Vec::new();
        for (name, &id) in &resolve.packages[package].interfaces {
            for (item, shape, gone) in items(resolve, id) {
                if !gone {
                    all.push(format!("{name}.{item}: {shape}"));
                }
            }
        }
        all.sort();
        all
    };
    assert_eq!(
        live(&now, package),
        live(&copy, copy_package),
        "wit/ changed under version {current_version}: raise the version in wit/world.wit \
         and copy the package into wit/released/"
    );
}

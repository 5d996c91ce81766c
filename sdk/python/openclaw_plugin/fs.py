"""Directories under the roots the operator granted this plugin (the `fs` capability).

Paths are absolute; the host resolves each inside a root, so no link leads out of it. The
functions that can fail raise a `Failure` whose code names the cause: an errno name (`ENOENT`,
`EACCES`, `ELOOP`, ...) or `REFUSED` for a path outside the roots. `write_file` takes keyword
options; the raw bindings stay reachable as `raw`.
"""

from .capability import choice, imported, raises_failure

raw = imported("fs")

EntryKind = raw.EntryKind
DirEntry = raw.DirEntry
FileInfo = raw.FileInfo
FileContent = raw.FileContent
Existing = raw.Existing
home = raw.home
follows_symlinks = raw.follows_symlinks


@raises_failure
def canonical(path: str) -> str:
    """`realpath`: `path` with every link below its root resolved."""
    return raw.canonical(path)


@raises_failure
def lstat(path: str) -> FileInfo:
    """`lstat`: the metadata of the entry at `path` itself."""
    return raw.lstat(path)


@raises_failure
def read_file(path: str, max_bytes: int) -> FileContent:
    """Reads the regular file at `path`; reads nothing when it is larger than `max_bytes`."""
    return raw.read_file(path, max_bytes)


@raises_failure
def write_file(
    path: str, content: bytes, *, existing="keep", create_parents: bool = False
) -> FileInfo:
    """Writes `content` to the file at `path` (a new file is made 0600); answers its metadata.

    `existing` says what happens to a file already there: `"keep"` it (`EEXIST`) or
    `"replace"` it atomically (or an `Existing`). With `create_parents`, missing dirs are made.
    """
    return raw.write_file(path, content, choice(Existing, existing), create_parents)


@raises_failure
def list_dir(path: str) -> list[DirEntry]:
    """The entries of the directory at `path`, in the file system's order."""
    return raw.list_dir(path)

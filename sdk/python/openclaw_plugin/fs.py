"""Files inside the roots the operator granted (the `fs` capability)."""

from .capability import imported

_wit = imported("fs")

EntryKind = _wit.EntryKind
DirEntry = _wit.DirEntry
FileInfo = _wit.FileInfo
FileContent = _wit.FileContent
Existing = _wit.Existing
home = _wit.home
follows_symlinks = _wit.follows_symlinks
canonical = _wit.canonical
lstat = _wit.lstat
read_file = _wit.read_file
write_file = _wit.write_file
list_dir = _wit.list_dir

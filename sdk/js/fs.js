// Files inside the roots the operator granted (the `fs` capability).
export { home, followsSymlinks, canonical, lstat, readFile, writeFile, listDir } from 'openclaw:plugin/fs@0.1.8';

export { EXECUTABLE_EXTENSIONS, isExecutableFile, openAction, type OpenFacts } from './executable-files';
export { openCitedFile, type FileOpener, type OpenCitedFileOptions } from './open-cited-file';
export { openWithSystemViewer, viewerCommand, viewerProcessOpener, type SpawnViewer } from './viewer-process';

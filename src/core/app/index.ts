export { createAppService, type AppServiceInit } from './app-service';
export { NoticeBoard } from './notice-board';
export { DesktopOnlyError, type DesktopShell } from './desktop-shell';

export { createAppService, type AppServiceInit } from './app-service';
export { NoticeBoard } from './notice-board';

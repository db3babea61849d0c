import { randomUUID } from 'node:crypto';
import type { Notice } from '../../shared/contract';

/** Notices for the user that outlive one call (a settings file set aside, say). */
export class NoticeBoard {
  private readonly _notices: Notice[] = [];

  constructor(private readonly _onPost: (notice: Notice) => void = () => undefined) {}

  post(level: Notice['level'], message: string): Notice {
    const notice: Notice = { id: randomUUID(), level, message, at: Date.now() };
    this._notices.push(notice);
    this._onPost(notice);
    return notice;
  }

  list(): Notice[] {
    return [...this._notices];
  }

  dismiss(id: string): void {
    const index = this._notices.findIndex((n) => n.id === id);
    if (index >= 0) this._notices.splice(index, 1);
  }
}

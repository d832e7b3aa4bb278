// Which IPC messages to believe: only those from the top frame of our own
// window while it shows our page (not an iframe, not a page navigated elsewhere).
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';

/** Decides whether a frame is ours: the main frame of our window, at our page's URL. */
export type SenderCheck = (event: IpcMainEvent | IpcMainInvokeEvent) => boolean;

export function trustedSender(isAppUrl: (url: string) => boolean, isOurWindow: (contents: WebContents) => boolean): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame) return false;
    return isOurWindow(event.sender) && isAppUrl(frame.url);
  };
}

/** Our page: the very file we loaded (file://), or the dev server's origin. */
export function appUrlMatcher(pageUrl: URL): (url: string) => boolean {
  return (url) => {
    try {
      const parsed = new URL(url);
      if (pageUrl.protocol === 'file:') return parsed.protocol === 'file:' && parsed.pathname === pageUrl.pathname;
      return parsed.origin === pageUrl.origin;
    } catch {
      return false;
    }
  };
}

// The app's keyboard habits: Ctrl/Cmd+L the URL, `/` the filter, Space holds, Ctrl/Cmd+S records,
// Ctrl/Cmd+O opens a recording. Keys typed into a field stay with the field.

export interface ShortcutActions {
  focusUrl(): void;
  focusFilter(): void;
  toggleHold(): void;
  toggleRecording(): void;
  openRecording(): void;
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function handleShortcut(event: KeyboardEvent, actions: ShortcutActions): void {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && !event.altKey && !event.shiftKey) {
    const action = { l: actions.focusUrl, s: actions.toggleRecording, o: actions.openRecording }[key];
    if (action) {
      event.preventDefault();
      action();
    }
    return;
  }
  if (mod || event.altKey || typing(event.target)) return;
  if (event.key === "/") {
    event.preventDefault();
    actions.focusFilter();
  } else if (event.key === " ") {
    // Space is the scope's Hold everywhere but in text fields, as in a media player; buttons
    // still answer Enter.
    event.preventDefault();
    actions.toggleHold();
  }
}

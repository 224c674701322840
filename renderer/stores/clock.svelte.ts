// A shared coarse clock for ages, flashes and countdowns: one timer for the whole page.

class Clock {
  now = $state(Date.now());
  constructor() {
    setInterval(() => {
      this.now = Date.now();
    }, 250);
  }
}

export const clock = new Clock();

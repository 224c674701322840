// Saved connection profiles: the built-in local demo first, then the user's, persisted to
// `<configDir>/profiles.json`. A file that cannot be used is kept aside and reported, never lost;
// tokens stay here (and in the file, mode 0600) and never reach a Profile, a problem or an error.

import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Profile, ProfileInput } from "../../ipc/contract.ts";
import { LiveCollection, type ViewSource } from "../live/collection.ts";
import { splitJwt } from "./jwt-url.ts";
import { readProfilesFile, writeProfilesFile } from "./profiles-file.ts";
import { BUILT_IN_ID, describeIssues, PROFILES_MAX, profileInputSchema, type DiskProfile } from "./schema.ts";
import { setAside } from "./set-aside.ts";

export const PROFILES_FILE_NAME = "profiles.json";

/** A profile with its token, for the code that connects (never sent to the UI). */
export type StoredProfile = Profile & { token: string | null };

export class ProfileStore {
  /** What went wrong reading the file, in words a person can act on; null when all is well. */
  readonly problem: string | null;
  readonly path: string;
  readonly #builtIn: DiskProfile;
  /** The user's profiles by id, in display order (the built-in is not among them). */
  readonly #saved = new Map<string, DiskProfile>();
  readonly #view = new LiveCollection<Profile>();
  /** Saves and deletes run one after another, each on the result of the last. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Set when the file could not be read or kept aside: saving would overwrite what it holds. */
  readonly #readOnlyReason: string | null;

  private constructor(
    path: string,
    builtIn: DiskProfile,
    saved: DiskProfile[],
    problem: string | null,
    readOnly: string | null,
  ) {
    this.path = path;
    this.problem = problem;
    this.#readOnlyReason = readOnly;
    this.#builtIn = builtIn;
    this.#view.set(toProfile(builtIn, true));
    for (const p of saved) {
      this.#saved.set(p.id, p);
      this.#view.set(toProfile(p, false));
    }
  }

  /** Reads `<configDir>/profiles.json` (creating the folder if needed). Never throws for a bad file. */
  static async open(configDir: string, builtIn: { name: string; url: string }): Promise<ProfileStore> {
    const path = join(configDir, PROFILES_FILE_NAME);
    const demo: DiskProfile = {
      id: BUILT_IN_ID,
      name: builtIn.name,
      url: builtIn.url,
      transport: "auto",
      protocol: "auto",
      // An http:// URL fetches and pins the dev relay's fingerprint itself; otherwise the system decides.
      trust: { kind: "system" },
      token: null,
    };
    try {
      await mkdir(configDir, { recursive: true });
    } catch (error) {
      const problem =
        `The settings folder ${configDir} could not be created (${errorCode(error)}): ` +
        `only the built-in profile is listed and nothing can be saved.`;
      return new ProfileStore(path, demo, [], problem, `the settings folder ${configDir} could not be created.`);
    }
    const read = await readProfilesFile(path);
    switch (read.kind) {
      case "missing":
        return new ProfileStore(path, demo, [], null, null);
      case "ok":
        return new ProfileStore(path, demo, read.profiles, null, null);
      case "unreadable": {
        const problem =
          `Saved profiles could not be read from ${path}: ${read.reason}. ` +
          `Only the built-in profile is listed, and saving is off so that the file is not replaced; ` +
          `make it a readable file (check its permissions) and restart moqscope.`;
        const readOnly = `${path} could not be read at start (${read.reason}); fix that and restart moqscope.`;
        return new ProfileStore(path, demo, [], problem, readOnly);
      }
      case "invalid": {
        let aside: string;
        try {
          aside = await setAside(path);
        } catch (error) {
          const problem =
            `Saved profiles in ${path} are unusable (${read.reason}), and the file could not be moved aside ` +
            `(${errorCode(error)}). Saving is off so that it is not replaced; fix or move it and restart moqscope.`;
          const readOnly = `${path} is unusable and could not be moved aside; fix or move it and restart moqscope.`;
          return new ProfileStore(path, demo, [], problem, readOnly);
        }
        const problem =
          `Saved profiles in ${path} could not be used: ${read.reason}. The file was kept as ${aside}; ` +
          `only the built-in profile is listed. To get those profiles back, fix that file and move it back ` +
          `to ${path} while moqscope is closed.`;
        return new ProfileStore(path, demo, [], problem, null);
      }
    }
  }

  /** The profiles as the UI watches them: built-in first, then in the order they were created. */
  get view(): ViewSource<Profile> {
    return this.#view;
  }

  list(): Profile[] {
    return this.#view.items();
  }

  get(id: string): StoredProfile | undefined {
    const stored = id === BUILT_IN_ID ? this.#builtIn : this.#saved.get(id);
    if (stored === undefined) return undefined;
    return { ...toProfile(stored, id === BUILT_IN_ID), token: stored.token };
  }

  /**
   * Creates (no id) or replaces (id) a profile and writes the file. `token`: a string sets it, null
   * clears it, absent keeps it; a `jwt` parameter in the URL is moved into the token unless a token
   * is given. Rejects with a person-readable Error (naming fields, never their values).
   */
  save(input: ProfileInput): Promise<Profile> {
    return this.#serialize(async () => {
      this.#checkWritable();
      const checked = profileInputSchema.safeParse(input);
      if (!checked.success) throw new Error(`The profile was not saved: ${describeIssues(checked.error)}.`);
      const fields = checked.data;
      if (fields.id === BUILT_IN_ID) {
        throw new Error("The built-in profile cannot be changed; save a copy under another name instead.");
      }
      const previous = fields.id === undefined ? undefined : this.#saved.get(fields.id);
      if (fields.id !== undefined && previous === undefined) {
        throw new Error(`The profile was not saved: there is no saved profile with id "${fields.id}" (deleted?).`);
      }
      if (previous === undefined && this.#saved.size >= PROFILES_MAX) {
        throw new Error(`The profile was not saved: at most ${PROFILES_MAX} profiles can be kept; delete some first.`);
      }
      const { url, jwt } = splitJwt(fields.url);
      const token = fields.token !== undefined ? fields.token : (jwt ?? previous?.token ?? null);
      const next: DiskProfile = {
        id: previous?.id ?? randomUUID(),
        name: fields.name,
        url,
        transport: fields.transport,
        protocol: fields.protocol,
        trust: fields.trust,
        token,
      };
      const all = new Map(this.#saved);
      all.set(next.id, next);
      await this.#write(all);
      this.#saved.set(next.id, next);
      const profile = toProfile(next, false);
      this.#view.set(profile);
      return profile;
    });
  }

  /** Deletes a saved profile; the built-in cannot be deleted, an unknown id is an error. */
  delete(id: string): Promise<void> {
    return this.#serialize(async () => {
      if (id === BUILT_IN_ID) throw new Error("The built-in profile cannot be deleted.");
      this.#checkWritable();
      if (!this.#saved.has(id)) throw new Error(`There is no saved profile with id "${id}" (already deleted?).`);
      const all = new Map(this.#saved);
      all.delete(id);
      await this.#write(all);
      this.#saved.delete(id);
      this.#view.delete(id);
    });
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #checkWritable(): void {
    if (this.#readOnlyReason !== null) {
      throw new Error(`Profiles cannot be saved now: ${this.#readOnlyReason}`);
    }
  }

  async #write(all: Map<string, DiskProfile>): Promise<void> {
    try {
      await writeProfilesFile(this.path, [...all.values()]);
    } catch (error) {
      throw new Error(`The profile was not saved: writing ${this.path} failed (${errorCode(error)}).`, {
        cause: error,
      });
    }
  }
}

function toProfile(p: DiskProfile, builtIn: boolean): Profile {
  return {
    key: p.id,
    id: p.id,
    name: p.name,
    url: p.url,
    transport: p.transport,
    protocol: p.protocol,
    trust: p.trust,
    hasToken: p.token !== null,
    builtIn,
  };
}

/** The errno code, or the message of an error that has none (fs messages name paths, not contents). */
function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(error));
}

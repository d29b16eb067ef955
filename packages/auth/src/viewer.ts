/** Who is calling, as proved by a verified access token. */
export interface Viewer {
  userId: string;
  roles: readonly string[];
  /** The session the token was issued for (claim sid). */
  sessionId: string | null;
}

export const isAdmin = (viewer: Viewer | null | undefined): boolean => viewer?.roles.includes('admin') ?? false;

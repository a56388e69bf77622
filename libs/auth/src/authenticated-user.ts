/** Who is calling, as proven by a verified access token. */
export interface AuthenticatedUser {
  id: string;
  roles: string[];
}

export const ADMIN_ROLE = 'admin';

/**
 * Sign-in with the identity provider the API trusts: authorization code + PKCE (oidc-client-ts).
 * The issuer and client id come from GET /api/console-config, so nothing is baked into the build.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';

interface ConsoleConfig {
  issuer: string | null;
  clientId: string | null;
  scope: string;
}

let manager: Promise<UserManager> | undefined;

export function userManager(): Promise<UserManager> {
  manager ??= fetch('/api/console-config')
    .then((r) => r.json() as Promise<ConsoleConfig>)
    .then((c) => {
      if (!c.issuer || !c.clientId) throw new Error('服务未配置登录（身份提供方）');
      return new UserManager({
        authority: c.issuer,
        client_id: c.clientId,
        redirect_uri: `${location.origin}/callback`,
        post_logout_redirect_uri: `${location.origin}/`,
        response_type: 'code',
        scope: c.scope,
        userStore: new WebStorageStateStore({ store: window.sessionStorage }),
        automaticSilentRenew: false,
        loadUserInfo: false,
      });
    });
  return manager;
}

export async function currentUser(): Promise<User | null> {
  const user = await (await userManager()).getUser();
  return user && !user.expired ? user : null;
}

export async function currentToken(): Promise<string | undefined> {
  return (await currentUser())?.access_token;
}

export async function signIn(returnTo = location.pathname + location.search) {
  await (await userManager()).signinRedirect({ state: returnTo });
}

/** Back from the provider: trade the code for tokens, answer where the person was going. */
export async function completeSignIn(): Promise<string> {
  const user = await (await userManager()).signinRedirectCallback();
  return typeof user.state === 'string' && user.state.startsWith('/') ? user.state : '/';
}

export async function signOut() {
  const m = await userManager();
  const user = await m.getUser();
  await m.removeUser();
  try {
    await m.signoutRedirect({ id_token_hint: user?.id_token });
  } catch {
    location.assign('/');
  }
}

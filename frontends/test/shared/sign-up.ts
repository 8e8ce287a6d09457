// A person creating an account and signing in on a user pool's domain of the local cloud, through its
// sign-in pages over real HTTP (@serverlesspresso/testing/oauth's browser), from the authorize URL an
// app sends them to; the confirmation code is read from the local cloud's output, where it prints
// what Cognito would email. Returns the URL the domain sends the browser back to (?code&state).
import { HttpBrowser } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';

export async function signUpOnDomain(
  authorizeUrl: string,
  person: { email: string; password: string },
  logs: readonly string[],
): Promise<string> {
  const browser = new HttpBrowser();
  const login = await browser.open(authorizeUrl);
  if (login.status !== 200) throw new Error(`the sign-in page answered ${login.status}: ${login.text.slice(0, 300)}`);
  const signup = await browser.open(login.url.replace('/login?', '/signup?'));
  const confirm = await browser.submit(signup, { email: person.email, password: person.password });
  const pattern = new RegExp(`confirmation code for ${person.email.replace(/[.+]/g, '\\$&')}: (\\d{6})`);
  const code = await until(`the confirmation code for ${person.email} in the local cloud output`, () =>
    logs.map((l) => pattern.exec(l)?.[1]).find(Boolean),
  );
  const landed = await browser.submit(confirm, { code }, 'Confirm');
  return landed.url;
}

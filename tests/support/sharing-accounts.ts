// The accounts the sharing suites configure on a server: A exports a service (help.>) and a
// stream (news.>), B imports them as a.help.> and under the prefix a.
export const SHARING_ACCOUNTS = `
accounts {
  A: {
    users: [ { user: a, password: a } ]
    exports: [ { service: "help.>" }, { stream: "news.>" } ]
  }
  B: {
    users: [ { user: b, password: b } ]
    imports: [
      { service: { account: A, subject: "help.>" }, to: "a.help.>" }
      { stream: { account: A, subject: "news.>" }, prefix: "a" }
    ]
  }
}
`;

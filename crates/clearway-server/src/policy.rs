//! Who may call what: one table, one row per endpoint, with the roles it admits. The authentication
//! middleware looks every request up here by its route and method; a route with no row is refused
//! (fail closed), and the role-matrix test walks this table for every role.
//!
//! | role | for |
//! |---|---|
//! | officer | the queue, assignment to self, exam results, filing reads, hit dispositions, ingest |
//! | supervisor | what an officer does, plus assignment to anyone and overrides |
//! | targeter | profiles and selectivity, filing reads, model and statistics |
//! | list-manager | sanctions-list import, show, diff and dispositions |
//! | analyst | read-only statistics, profile statistics, model information, metrics |
//! | auditor | filing reads and the audit log |
//! | admin | users and tokens, statistics, metrics |
//! | partner | machine clients: ingest only |

use crate::backend::Role;
use Role::*;

/// Anyone, signed in or not.
pub const PUBLIC: &[Role] = &[];

/// One endpoint and the roles it admits (`PUBLIC`: no credentials needed).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// The route as axum matches it (`{id}` for a path parameter).
    pub path: &'static str,
    pub roles: &'static [Role],
}

const fn rule(method: &'static str, path: &'static str, roles: &'static [Role]) -> Rule {
    Rule {
        method,
        path,
        roles,
    }
}

const SIGNED_IN: &[Role] = &[
    Officer,
    Supervisor,
    Targeter,
    ListManager,
    Analyst,
    Auditor,
    Admin,
    Partner,
];
const READERS: &[Role] = &[Officer, Supervisor, Targeter, Auditor];

/// The table.
pub const RULES: &[Rule] = &[
    rule("GET", "/healthz", PUBLIC),
    rule("GET", "/readyz", PUBLIC),
    rule("GET", "/metrics", &[Analyst, Admin]),
    rule("POST", "/v1/session", PUBLIC),
    rule("GET", "/v1/session", SIGNED_IN),
    rule("DELETE", "/v1/session", SIGNED_IN),
    rule("POST", "/v1/filings", &[Partner, Officer, Supervisor]),
    rule("GET", "/v1/filings/{id}", READERS),
    rule("GET", "/v1/queue", &[Officer, Supervisor]),
    rule("POST", "/v1/filings/{id}/assign", &[Officer, Supervisor]),
    rule("POST", "/v1/filings/{id}/exam", &[Officer, Supervisor]),
    rule("POST", "/v1/filings/{id}/override", &[Supervisor]),
    rule(
        "GET",
        "/v1/lists",
        &[ListManager, Targeter, Supervisor, Auditor],
    ),
    rule("POST", "/v1/lists", &[ListManager]),
    rule(
        "GET",
        "/v1/lists/diff",
        &[ListManager, Targeter, Supervisor, Auditor],
    ),
    rule(
        "POST",
        "/v1/lists/dispositions",
        &[ListManager, Officer, Supervisor],
    ),
    rule("POST", "/v1/profiles/check", &[Targeter]),
    rule(
        "GET",
        "/v1/profiles/stats",
        &[Targeter, Analyst, Supervisor],
    ),
    rule("GET", "/v1/model", &[Targeter, Analyst, Supervisor]),
    rule(
        "GET",
        "/v1/stats",
        &[Analyst, Supervisor, Targeter, Admin, Auditor],
    ),
    rule("GET", "/v1/audit", &[Auditor]),
    rule("GET", "/v1/users", &[Admin]),
    rule("POST", "/v1/users", &[Admin]),
    rule("POST", "/v1/users/{name}/disable", &[Admin]),
    rule("POST", "/v1/users/{name}/tokens", &[Admin]),
    rule("DELETE", "/v1/tokens/{id}", &[Admin]),
];

/// The rule for a matched route and method.
pub fn lookup(method: &str, path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.method == method && r.path == path)
}

impl Rule {
    pub fn is_public(&self) -> bool {
        self.roles.is_empty()
    }

    pub fn admits(&self, role: Role) -> bool {
        self.is_public() || self.roles.contains(&role)
    }
}

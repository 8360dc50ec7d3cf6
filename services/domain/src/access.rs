use uuid::Uuid;

use crate::Role;

/// Which appeals a staff member may see (R11, R33). Derived once per request from the caller,
/// then applied by the store as a filter, so a list and a single read can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealScope {
    /// Admins, supervisors and operators work the whole centre's appeals.
    All,
    /// A body officer sees only the appeals currently redirected to their own body.
    Body(Uuid),
    /// A body officer not attached to any body sees nothing.
    Nothing,
}

impl AppealScope {
    pub fn for_staff(role: Role, body_id: Option<Uuid>) -> Self {
        match (role, body_id) {
            (Role::BodyOfficer, Some(body)) => AppealScope::Body(body),
            (Role::BodyOfficer, None) | (Role::Editor, _) => AppealScope::Nothing,
            _ => AppealScope::All,
        }
    }
}

/// Whether a caller with this scope may read an appeal responsible to `appeal_body`.
pub fn can_read_appeal(scope: AppealScope, appeal_body: Option<Uuid>) -> bool {
    match scope {
        AppealScope::All => true,
        AppealScope::Body(body) => appeal_body == Some(body),
        AppealScope::Nothing => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_officers_see_only_their_body() {
        let mine = Uuid::now_v7();
        let other = Uuid::now_v7();
        let scope = AppealScope::for_staff(Role::BodyOfficer, Some(mine));
        assert!(can_read_appeal(scope, Some(mine)));
        assert!(!can_read_appeal(scope, Some(other)));
        assert!(!can_read_appeal(scope, None));
        let orphan = AppealScope::for_staff(Role::BodyOfficer, None);
        assert!(!can_read_appeal(orphan, Some(mine)));
        for role in [Role::Admin, Role::Supervisor, Role::Operator] {
            assert!(can_read_appeal(AppealScope::for_staff(role, None), None));
        }
    }
}

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Language, Role};

#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 64)]
    pub login: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; the server keeps only its hash.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffView,
}

/// A topic the operator is competent for, level 1 (basic) to 5 (expert) — R18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillDto {
    pub topic_id: Uuid,
    pub level: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// Set for body officers: the administrative body whose appeals they see.
    pub body_id: Option<Uuid>,
    pub languages: Vec<Language>,
    pub skills: Vec<SkillDto>,
    pub active: bool,
    /// Contacts at once per channel; 0 means not enabled for the channel.
    pub capacity: crate::Capacity,
    pub presence: crate::Presence,
    pub presence_at: Option<DateTime<Utc>>,
    /// The operator's phone calls are put through to: a SIP URI of the PBX's extension
    /// (`sip:101@127.0.0.1`) or a number in international form.
    pub extension: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    /// 2–64 characters: letters, digits, `.`, `_`, `-`.
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z0-9._-]+$")]
    pub login: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    #[schema(max_length = 200, min_length = 1)]
    pub display_name: String,
    pub role: Role,
    /// Required for body officers, refused for other roles.
    #[serde(default)]
    pub body_id: Option<Uuid>,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub skills: Vec<SkillDto>,
}

impl std::fmt::Debug for CreateStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateStaff")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Absent fields stay as they are. A new password or `active: false` ends the member's sessions.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    /// `null` detaches a body officer from their body.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub body_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub languages: Option<Vec<Language>>,
    #[serde(default)]
    pub skills: Option<Vec<SkillDto>>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// Contacts at once per channel (admins and supervisors).
    #[serde(default)]
    pub capacity: Option<crate::Capacity>,
    /// The operator's phone: `sip:<user>@<host>[:port]` or `+<digits>`; `null` removes it.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 200)]
    pub extension: Option<Option<String>>,
}

impl std::fmt::Debug for UpdateStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateStaff")
            .field("role", &self.role)
            .field("active", &self.active)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

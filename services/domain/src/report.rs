//! What the semi-annual БОҚБЕ report (R36, Appendix 2) takes from the centre itself: its profile,
//! filled once by an admin (rows 1–5, 23–26, 28, the header and the footer), and the state of
//! each half-year's report — draft, checked, submitted — with comments on any row.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The centre as the form names it, in both languages where the text differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CentreProfile {
    /// Row 1.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub name_kk: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub name_ru: String,
    /// Row 2: number and date of the document that started the centre's work.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub founding_document: String,
    /// Row 3.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub address_kk: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub address_ru: String,
    /// Row 4: structural units or branches.
    pub branches: bool,
    /// Row 5.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub phone: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub email: String,
    /// Row 11 split, when the centre keeps it: permanent and non-permanent staff.
    pub staff_permanent: Option<u32>,
    pub staff_non_permanent: Option<u32>,
    /// Row 21: software products besides this one (e.g. "IVR", "WFM").
    pub software: Vec<String>,
    /// Row 22: information systems of state bodies integrated besides the bodies' webhooks.
    pub integrations: Vec<String>,
    /// Row 23: the certification audit's date (YYYY-MM-DD), if passed.
    pub certification_date: Option<chrono::NaiveDate>,
    /// Row 24: certified managers, if any.
    pub certified_managers: Option<u32>,
    /// Rows 25, 26, 28.
    pub workplaces_equipped: bool,
    pub auxiliary_rooms: bool,
    pub internal_regulations: bool,
    /// The footer: who prepared it (name, phone) and the head who signs it.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub preparer: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub preparer_phone: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub head: String,
}

impl CentreProfile {
    /// Every text at most 1,000 characters, lists at most 50 items.
    pub fn validate(&self) -> Result<(), DomainError> {
        let texts = [
            ("name_kk", &self.name_kk),
            ("name_ru", &self.name_ru),
            ("founding_document", &self.founding_document),
            ("address_kk", &self.address_kk),
            ("address_ru", &self.address_ru),
            ("phone", &self.phone),
            ("email", &self.email),
            ("preparer", &self.preparer),
            ("preparer_phone", &self.preparer_phone),
            ("head", &self.head),
        ];
        for (field, t) in texts {
            if t.chars().count() > 1000 {
                return Err(DomainError::InvalidField {
                    field,
                    reason: "at most 1000 characters".into(),
                });
            }
        }
        for (field, list) in [
            ("software", &self.software),
            ("integrations", &self.integrations),
        ] {
            if list.len() > 50
                || list
                    .iter()
                    .any(|x| x.trim().is_empty() || x.chars().count() > 300)
            {
                return Err(DomainError::InvalidField {
                    field,
                    reason: "at most 50 items of 1 to 300 characters".into(),
                });
            }
        }
        Ok(())
    }
}

/// Where a half-year's report stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    #[default]
    Draft,
    /// Checked by the centre's head or a supervisor.
    Checked,
    /// Sent to the Committee; comments are frozen.
    Submitted,
}

/// One half-year's report as the centre works on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ReportState {
    pub status: ReportStatus,
    /// A comment on any row (1–28), printed beside it.
    pub comments: BTreeMap<u8, String>,
}

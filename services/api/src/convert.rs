//! Store records to wire types. Kept in one place so a field added to the model is added to the
//! contract deliberately.

use baylanys_proto as p;
use baylanys_store as s;

pub fn staff(v: &s::Staff) -> p::StaffView {
    p::StaffView {
        id: v.id,
        login: v.login.clone(),
        display_name: v.display_name.clone(),
        role: v.role,
        body_id: v.body_id,
        languages: v.languages.clone(),
        skills: v
            .skills
            .iter()
            .map(|k| p::SkillDto {
                topic_id: k.topic_id,
                level: k.level,
            })
            .collect(),
        active: v.active,
        capacity: v.capacity,
        presence: v.presence,
        presence_at: v.presence_at,
        extension: v.extension.clone(),
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub fn client(v: &s::Client) -> p::ClientView {
    p::ClientView {
        id: v.id,
        name: v.name.clone(),
        iin: v.iin.clone(),
        bin: v.bin.clone(),
        language: v.language,
        vulnerable: v.vulnerable,
        do_not_contact: v.do_not_contact,
        identities: v
            .identities
            .iter()
            .map(|i| p::IdentityDto {
                channel: i.channel,
                address: i.address.clone(),
            })
            .collect(),
        claims: Vec::new(),
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub fn claim(c: &baylanys_store::Claim) -> p::ClaimView {
    p::ClaimView {
        kind: c.kind.clone(),
        value: c.value.clone(),
        channel: c.channel,
        created_at: c.created_at,
    }
}

pub fn appeal(v: &s::Appeal) -> p::AppealView {
    p::AppealView {
        id: v.id,
        number: v.number.clone(),
        client_id: v.client_id,
        kind: v.kind,
        topic_id: v.topic_id,
        channel: v.channel,
        language: v.language,
        priority: v.priority.get(),
        status: v.status,
        queue_id: v.queue_id,
        assignee_id: v.assignee_id,
        body_id: v.body_id,
        department_id: v.department_id,
        parent_id: v.parent_id,
        subject: v.subject.clone(),
        resolution: v.resolution.clone(),
        first_contact_resolved: v.first_contact_resolved,
        external_id: v.external_id.clone(),
        last_seq: v.last_seq,
        due_at: v.due_at,
        created_at: v.created_at,
        updated_at: v.updated_at,
        closed_at: v.closed_at,
        verified_at: v.verified_at,
        verification_method: v.verification_method.clone(),
    }
}

/// All but the last two digits hidden, as on the card of an unverified client.
pub fn mask(number: &str) -> String {
    let keep = number.chars().count().saturating_sub(2);
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { c })
        .collect()
}

pub fn message(v: &s::Message) -> p::MessageView {
    p::MessageView {
        id: v.id,
        appeal_id: v.appeal_id,
        interaction_id: v.interaction_id,
        seq: v.seq,
        author: v.author,
        kind: v.kind,
        staff_id: v.staff_id,
        channel: v.channel,
        direction: v.direction,
        body: v.body.clone(),
        external_id: v.external_id.clone(),
        created_at: v.created_at,
        mail: None,
        attachments: Vec::new(),
        edit: None,
    }
}

/// Puts each stored mail's headers and each message's files beside its message.
pub fn add_extras(entries: &mut [p::TimelineEntry], extras: &baylanys_store::TimelineExtras) {
    let (mails, files) = (&extras.mails, &extras.files);
    for m in entries.iter_mut().filter_map(|e| e.message.as_mut()) {
        if let Some((_, of)) = extras.edits.iter().find(|(id, _)| *id == m.id) {
            m.edit = Some(p::EditView { of: *of });
        }
        if let Some(found) = mails.iter().find(|x| x.message_id == m.id) {
            let h = &found.headers;
            m.mail = Some(p::MailView {
                subject: h.subject.clone(),
                from: h.sender.clone(),
                to: h.to.clone(),
                cc: h.cc.clone(),
                recipients: h.recipients,
                quoted: h.quoted.clone(),
                from_html: h.from_html,
                automatic: h.automatic.clone(),
            });
        }
        m.attachments = files
            .iter()
            .filter(|f| f.message_id == m.id)
            .map(attachment)
            .collect();
    }
}

pub fn attachment(a: &baylanys_store::Attachment) -> p::AttachmentView {
    p::AttachmentView {
        id: a.id,
        name: a.name.clone(),
        content_type: a.content_type.clone(),
        size: a.size,
        sha256: a.sha256.clone(),
        refused: a.refused.clone(),
    }
}

/// A contact as the API shows it; `wrap_up_limit` is the centre's after-contact work limit, from
/// which the view says when a wrap-up in progress ends.
pub fn interaction(
    v: &s::Interaction,
    wrap_up_limit: Option<std::time::Duration>,
) -> p::InteractionView {
    let wrap_up_ends_at = match (v.state, v.wrap_up_at, wrap_up_limit) {
        (baylanys_domain::InteractionState::WrapUp, Some(at), Some(limit)) => {
            chrono::Duration::from_std(limit).ok().map(|l| at + l)
        }
        _ => None,
    };
    p::InteractionView {
        id: v.id,
        appeal_id: v.appeal_id,
        channel: v.channel,
        direction: v.direction,
        state: v.state,
        external_id: v.external_id.clone(),
        queue_id: v.queue_id,
        operator_id: v.operator_id,
        queued_at: v.queued_at,
        answered_at: v.answered_at,
        ended_at: v.ended_at,
        abandoned_at: v.abandoned_at,
        wrap_up_at: v.wrap_up_at,
        wrap_up_ends_at,
        // Only while the call is being answered: a finished contact is not on hold.
        held_at: v
            .held_at
            .filter(|_| v.state == baylanys_domain::InteractionState::Answered),
        offered_to: v.offered_to,
        offer_expires_at: v.offer_expires_at,
    }
}

pub fn note(v: &s::Note) -> p::NoteView {
    p::NoteView {
        id: v.id,
        appeal_id: v.appeal_id,
        author_id: v.author_id,
        body: v.body.clone(),
        created_at: v.created_at,
    }
}

pub fn redirection(v: &s::Redirection) -> p::RedirectionView {
    p::RedirectionView {
        id: v.id,
        appeal_id: v.appeal_id,
        body_id: v.body_id,
        department_id: v.department_id,
        reason: v.reason.clone(),
        created_by: v.created_by,
        created_at: v.created_at,
        due_at: v.due_at,
        state: v.state,
        responded_at: v.responded_at,
        response: v.response.clone(),
        late: v.late,
    }
}

pub fn department(v: &s::Department) -> p::DepartmentView {
    p::DepartmentView {
        id: v.id,
        body_id: v.body_id,
        name_kk: v.name_kk.clone(),
        name_ru: v.name_ru.clone(),
        position_kk: v.position_kk.clone(),
        position_ru: v.position_ru.clone(),
        active: v.active,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub fn event(v: &s::Event) -> p::EventView {
    p::EventView {
        id: v.id,
        at: v.at,
        kind: v.kind.clone(),
        actor: v.actor,
        actor_id: v.actor_id,
        appeal_id: v.appeal_id,
        client_id: v.client_id,
        interaction_id: v.interaction_id,
        data: v.data.clone(),
    }
}

pub fn audit(v: &s::AuditRecord) -> p::AuditRecordView {
    p::AuditRecordView {
        id: v.id,
        at: v.at,
        staff_id: v.staff_id,
        client_id: v.client_id,
        endpoint: v.endpoint.clone(),
    }
}

pub fn queue(v: &s::Queue) -> p::QueueView {
    p::QueueView {
        id: v.id,
        code: v.code.clone(),
        name: v.name.clone(),
        active: v.active,
        hours: v.hours.as_ref().map(hours),
        overflow: v.overflow.iter().map(overflow_step).collect(),
        records_calls: v.records_calls,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub fn overflow_step(r: &baylanys_domain::router::OverflowRule) -> p::OverflowStep {
    use baylanys_domain::router::OverflowAction;
    let (widen_to_level, move_to_queue) = match r.action {
        OverflowAction::WidenLevel { min_level } => (Some(min_level), None),
        OverflowAction::MoveTo { queue_id } => (None, Some(queue_id)),
    };
    p::OverflowStep {
        after_secs: r.after.num_seconds(),
        widen_to_level,
        move_to_queue,
    }
}

/// The wire form of a queue's steps to rules; the store checks them against every queue.
pub fn overflow_rules(
    queue_id: uuid::Uuid,
    steps: &[p::OverflowStep],
) -> Result<Vec<baylanys_domain::router::OverflowRule>, baylanys_domain::DomainError> {
    use baylanys_domain::router::{OverflowAction, OverflowRule};
    use baylanys_domain::DomainError;
    if steps.len() > 20 {
        return Err(DomainError::InvalidField {
            field: "overflow",
            reason: "at most 20 steps per queue".into(),
        });
    }
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let action = match (s.widen_to_level, s.move_to_queue) {
                (Some(min_level), None) => OverflowAction::WidenLevel { min_level },
                (None, Some(queue_id)) => OverflowAction::MoveTo { queue_id },
                _ => {
                    return Err(DomainError::InvalidField {
                        field: "overflow",
                        reason: format!(
                            "step {i}: give exactly one of widen_to_level and move_to_queue"
                        ),
                    })
                }
            };
            if s.after_secs < 0 {
                return Err(DomainError::InvalidField {
                    field: "overflow",
                    reason: format!("step {i}: after_secs must not be negative"),
                });
            }
            Ok(OverflowRule {
                queue_id,
                after: chrono::Duration::seconds(s.after_secs.min(i64::from(u32::MAX))),
                action,
            })
        })
        .collect()
}

fn hhmm(t: chrono::NaiveTime, end: bool) -> String {
    if end && t == chrono::NaiveTime::MIN {
        "24:00".into()
    } else {
        t.format("%H:%M").to_string()
    }
}

pub fn hours(h: &baylanys_domain::WeeklyHours) -> p::BusinessHoursDto {
    let day = |i: usize| {
        h.days[i]
            .iter()
            .map(|iv| p::TimeRange {
                from: hhmm(iv.start, false),
                to: hhmm(iv.end, true),
            })
            .collect()
    };
    p::BusinessHoursDto {
        monday: day(0),
        tuesday: day(1),
        wednesday: day(2),
        thursday: day(3),
        friday: day(4),
        saturday: day(5),
        sunday: day(6),
        open_on_holidays: h.open_on_holidays,
    }
}

/// Parses the wire form; a malformed time is a validation error naming the day.
pub fn weekly_hours(
    dto: &p::BusinessHoursDto,
) -> Result<baylanys_domain::WeeklyHours, baylanys_domain::DomainError> {
    let parse = |day: &'static str, s: &str, end: bool| {
        if end && s == "24:00" {
            return Ok(chrono::NaiveTime::MIN);
        }
        chrono::NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| {
            baylanys_domain::DomainError::InvalidField {
                field: "hours",
                reason: format!("{day}: {s:?} is not a time HH:MM"),
            }
        })
    };
    let day = |name: &'static str, ranges: &[p::TimeRange]| {
        ranges
            .iter()
            .map(|r| {
                Ok(baylanys_domain::Interval {
                    start: parse(name, &r.from, false)?,
                    end: parse(name, &r.to, true)?,
                })
            })
            .collect::<Result<Vec<_>, baylanys_domain::DomainError>>()
    };
    let hours = baylanys_domain::WeeklyHours {
        days: [
            day("monday", &dto.monday)?,
            day("tuesday", &dto.tuesday)?,
            day("wednesday", &dto.wednesday)?,
            day("thursday", &dto.thursday)?,
            day("friday", &dto.friday)?,
            day("saturday", &dto.saturday)?,
            day("sunday", &dto.sunday)?,
        ],
        open_on_holidays: dto.open_on_holidays,
    };
    hours.validate()?;
    Ok(hours)
}

pub fn calendar_day(d: &baylanys_domain::DayInfo) -> p::CalendarDayView {
    use baylanys_domain::DayReason;
    let (reason, name_kk, name_ru, from) = match &d.reason {
        DayReason::Weekday => ("weekday", None, None, None),
        DayReason::Weekend => ("weekend", None, None, None),
        DayReason::Holiday { name_kk, name_ru } => (
            "holiday",
            Some(name_kk.clone()),
            Some(name_ru.clone()),
            None,
        ),
        DayReason::Transferred {
            from,
            name_kk,
            name_ru,
        } => (
            "transferred",
            Some(name_kk.clone()),
            Some(name_ru.clone()),
            Some(*from),
        ),
        DayReason::Override { name_kk, name_ru } => (
            "override",
            Some(name_kk.clone()),
            Some(name_ru.clone()),
            None,
        ),
    };
    p::CalendarDayView {
        date: d.date,
        working: d.working,
        reason: reason.into(),
        name_kk,
        name_ru,
        transferred_from: from,
    }
}

pub fn day_override(r: &s::DayOverrideRecord) -> p::DayOverrideView {
    p::DayOverrideView {
        date: r.day.date,
        kind: r.day.kind,
        name_kk: r.day.name_kk.clone(),
        name_ru: r.day.name_ru.clone(),
        note: r.note.clone(),
        updated_at: r.updated_at,
    }
}

pub fn topic(v: &s::Topic) -> p::TopicView {
    p::TopicView {
        id: v.id,
        code: v.code.clone(),
        name_kk: v.name_kk.clone(),
        name_ru: v.name_ru.clone(),
        name_en: v.name_en.clone(),
        queue_id: v.queue_id,
        active: v.active,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub fn body(v: &s::Body) -> p::BodyView {
    p::BodyView {
        id: v.id,
        name_kk: v.name_kk.clone(),
        name_ru: v.name_ru.clone(),
        bin: v.bin.clone(),
        parent_id: v.parent_id,
        delivery_method: v.delivery_method,
        delivery_address: v.delivery_address.clone(),
        active: v.active,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

/// Builds the timeline from the event log, attaching the message, note or redirection each
/// event refers to.
pub fn timeline(t: &s::Timeline) -> Vec<p::TimelineEntry> {
    let id_field = |e: &s::Event, field: &str| {
        e.data
            .get(field)
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse::<uuid::Uuid>().ok())
    };
    t.events
        .iter()
        .map(|e| p::TimelineEntry {
            event_id: e.id,
            at: e.at,
            kind: e.kind.clone(),
            actor_id: e.actor_id,
            data: e.data.clone(),
            message: id_field(e, "message_id")
                .and_then(|id| t.messages.iter().find(|m| m.id == id))
                .map(message),
            note: id_field(e, "note_id")
                .and_then(|id| t.notes.iter().find(|n| n.id == id))
                .map(note),
            redirection: id_field(e, "redirection_id")
                .and_then(|id| t.redirections.iter().find(|r| r.id == id))
                .map(redirection),
        })
        .collect()
}

pub fn delivery(d: &baylanys_store::Delivery) -> baylanys_proto::DeliveryView {
    baylanys_proto::DeliveryView {
        id: d.id,
        appeal_id: d.appeal_id,
        message_id: d.message_id,
        redirection_id: d.redirection_id,
        fallback_of: d.fallback_of,
        recipient: d.recipient,
        method: d.method,
        address: d.address.clone(),
        state: d.state,
        attempts: d.attempts,
        next_at: d.next_at,
        last_error: d.last_error.clone(),
        sent_at: d.sent_at,
        created_at: d.created_at,
    }
}

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
        created_at: v.created_at,
        updated_at: v.updated_at,
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
        subject: v.subject.clone(),
        resolution: v.resolution.clone(),
        first_contact_resolved: v.first_contact_resolved,
        external_id: v.external_id.clone(),
        last_seq: v.last_seq,
        due_at: v.due_at,
        created_at: v.created_at,
        updated_at: v.updated_at,
        closed_at: v.closed_at,
    }
}

pub fn message(v: &s::Message) -> p::MessageView {
    p::MessageView {
        id: v.id,
        appeal_id: v.appeal_id,
        interaction_id: v.interaction_id,
        seq: v.seq,
        author: v.author,
        staff_id: v.staff_id,
        channel: v.channel,
        direction: v.direction,
        body: v.body.clone(),
        external_id: v.external_id.clone(),
        created_at: v.created_at,
    }
}

pub fn interaction(v: &s::Interaction) -> p::InteractionView {
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
        reason: v.reason.clone(),
        created_by: v.created_by,
        created_at: v.created_at,
    }
}

pub fn event(v: &s::Event) -> p::EventView {
    p::EventView {
        id: v.id,
        at: v.at,
        kind: v.kind.clone(),
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
        created_at: v.created_at,
        updated_at: v.updated_at,
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

//! The script of a run, drawn from the seed before anything happens: who comes, when, on which
//! channel, about what, and how it ends. The same seed plays the same script; what varies from
//! run to run is only the timing of the concurrent operators.

use std::time::Duration;

use baylanys_domain::{Channel, ComplaintCategory, Iin, Language};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::content::{KAZAKH_NAMES, RUSSIAN_NAMES};

/// A citizen or company representative who contacts the centre.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub name: String,
    pub language: Language,
    /// A valid IIN (its sex digit agrees with the name) or none: not everyone gives it.
    pub iin: Option<String>,
    /// On the reserved `example.com` domain: notices the server sends never reach anyone. No
    /// phone numbers, for the same reason — a server with an SMS gateway would text strangers.
    pub email: String,
}

/// How a contact ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// Answered by the centre at the first contact.
    Answered,
    /// A call whose caller hangs up after `patience` while it waits or rings.
    Lost { patience: Duration },
    /// Outside the centre's competence: redirected to the competent ministry, which answers.
    Redirected,
    /// The answer needs time: the due date is extended with a reason.
    Extended,
    /// A complaint registered by staff, reviewed and decided by the supervisor.
    Complaint {
        category: ComplaintCategory,
        confirmed: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub n: usize,
    /// From the start of the run.
    pub at: Duration,
    pub citizen: usize,
    pub channel: Channel,
    /// Index into the demo topics.
    pub topic: usize,
    pub fate: Fate,
    /// The survey score a web-chat client gives, if they answer it.
    pub rating: Option<u8>,
    /// The earlier visit of the same client on the same topic.
    pub repeat_of: Option<usize>,
    /// Seeds the visit's own timings (think, talk, work).
    pub seed: u64,
}

impl Visit {
    pub fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.seed)
    }
}

#[derive(Debug)]
pub struct Plan {
    pub citizens: Vec<Citizen>,
    pub visits: Vec<Visit>,
}

/// The opening of every run: one of each thing a newcomer should see, so even a short run
/// shows answered and lost calls, a rated chat, redirections, an extension and complaints.
/// (channel, fate, topic, repeat of)
const OPENING: &[(Channel, Opening, usize, Option<usize>)] = &[
    (Channel::WebChat, Opening::Answered, 0, None),
    (Channel::Voice, Opening::Answered, 2, None),
    (Channel::Voice, Opening::Lost(4000), 3, None),
    (Channel::Email, Opening::Redirected, 1, None),
    (Channel::InPerson, Opening::Complaint(false), 2, Some(1)),
    (Channel::Voice, Opening::Lost(400), 4, None),
    (Channel::WebChat, Opening::Redirected, 5, None),
    (Channel::Email, Opening::Extended, 3, None),
    (Channel::InPerson, Opening::Complaint(true), 0, Some(0)),
    (Channel::WebChat, Opening::Answered, 2, None),
];

#[derive(Debug, Clone, Copy)]
enum Opening {
    Answered,
    /// Patience in milliseconds.
    Lost(u64),
    Redirected,
    Extended,
    Complaint(bool),
}

pub fn plan(seed: u64, window: Duration, per_minute: f64, topics: usize) -> Plan {
    let mut rng = StdRng::seed_from_u64(seed);
    let citizens = citizens(&mut rng, seed);
    let mut visits: Vec<Visit> = Vec::new();
    let gap = 60.0 / per_minute.max(0.1);
    let window_secs = window.as_secs_f64();
    // The opening fits the window however short it is.
    let opening_gap = gap.min(window_secs / (OPENING.len() as f64 + 1.0));
    let mut t = 0.0;
    for (i, (channel, fate, topic, repeat_of)) in OPENING.iter().enumerate() {
        let fate = match *fate {
            Opening::Answered => Fate::Answered,
            Opening::Lost(ms) => Fate::Lost {
                patience: Duration::from_millis(ms),
            },
            Opening::Redirected => Fate::Redirected,
            Opening::Extended => Fate::Extended,
            Opening::Complaint(confirmed) => Fate::Complaint {
                category: if confirmed {
                    ComplaintCategory::OperatorConduct
                } else {
                    ComplaintCategory::Waiting
                },
                confirmed,
            },
        };
        let citizen = match repeat_of {
            Some(r) => visits.get(*r).map_or(i, |v: &Visit| v.citizen),
            None => i,
        };
        visits.push(Visit {
            n: i,
            at: Duration::from_secs_f64(t),
            citizen,
            channel: *channel,
            topic: topic % topics.max(1),
            rating: (*channel == Channel::WebChat).then_some(5 - (i % 2) as u8),
            fate,
            repeat_of: *repeat_of,
            seed: rng.gen(),
        });
        t += opening_gap;
    }
    // Then arrivals as a Poisson stream at the asked rate.
    loop {
        let u: f64 = rng.gen_range(f64::EPSILON..1.0);
        t += -u.ln() * gap;
        if t >= window_secs {
            break;
        }
        let v = random_visit(&mut rng, &visits, citizens.len(), topics, t);
        visits.push(v);
    }
    Plan { citizens, visits }
}

fn random_visit(
    rng: &mut StdRng,
    earlier: &[Visit],
    citizens: usize,
    topics: usize,
    t: f64,
) -> Visit {
    let channel = match rng.gen_range(0..100) {
        0..35 => Channel::WebChat,
        35..70 => Channel::Voice,
        70..85 => Channel::Email,
        _ => Channel::InPerson,
    };
    let roll = rng.gen_range(0..100);
    let fate = match channel {
        Channel::WebChat => match roll {
            0..75 => Fate::Answered,
            75..90 => Fate::Redirected,
            _ => Fate::Extended,
        },
        // About one call in seven lost: a little above the Appendix 1 target of 5–10 %, so the
        // dashboard has something to show.
        Channel::Voice => match roll {
            0..76 => Fate::Answered,
            76..86 => Fate::Lost {
                patience: Duration::from_millis(rng.gen_range(2000..9000)),
            },
            86..90 => Fate::Lost {
                patience: Duration::from_millis(rng.gen_range(100..900)),
            },
            _ => Fate::Redirected,
        },
        _ => match roll {
            0..45 => Fate::Answered,
            45..70 => Fate::Redirected,
            70..82 => Fate::Extended,
            _ => Fate::Complaint {
                category: match rng.gen_range(0..4) {
                    0 => ComplaintCategory::OperatorConduct,
                    1 => ComplaintCategory::Waiting,
                    2 => ComplaintCategory::WrongInformation,
                    _ => ComplaintCategory::NotResolved,
                },
                confirmed: rng.gen_bool(0.4),
            },
        },
    };
    // Complaints mostly come from someone who has been here before; others now and then.
    let repeat_chance = if matches!(fate, Fate::Complaint { .. }) {
        0.7
    } else {
        0.15
    };
    let repeat_of = (!earlier.is_empty() && rng.gen_bool(repeat_chance))
        .then(|| rng.gen_range(0..earlier.len()));
    let (citizen, topic) = match repeat_of.and_then(|r| earlier.get(r)) {
        Some(e) => (e.citizen, e.topic),
        None => (rng.gen_range(0..citizens), rng.gen_range(0..topics.max(1))),
    };
    let rating = (channel == Channel::WebChat
        && matches!(fate, Fate::Answered | Fate::Redirected)
        && rng.gen_bool(0.85))
    .then(|| match rng.gen_range(0..100) {
        0..50 => 5,
        50..80 => 4,
        80..90 => 3,
        90..96 => 2,
        _ => 1,
    });
    Visit {
        n: earlier.len(),
        at: Duration::from_secs_f64(t),
        citizen,
        channel,
        topic,
        fate,
        rating,
        repeat_of,
        seed: rng.gen(),
    }
}

/// Everyone on the name lists, once each, in the seed's order.
fn citizens(rng: &mut StdRng, seed: u64) -> Vec<Citizen> {
    let mut people: Vec<(&str, bool, bool)> = KAZAKH_NAMES
        .iter()
        .map(|(n, f)| (*n, *f, true))
        .chain(RUSSIAN_NAMES.iter().map(|(n, f)| (*n, *f, false)))
        .collect();
    people.shuffle(rng);
    people
        .into_iter()
        .enumerate()
        .map(|(i, (name, female, kazakh))| Citizen {
            name: name.to_owned(),
            // Many Kazakhs write in Russian too.
            language: if kazakh && rng.gen_bool(0.8) {
                Language::Kk
            } else {
                Language::Ru
            },
            iin: rng.gen_bool(0.8).then(|| iin(rng, female)),
            email: format!("citizen-{seed}-{i}@example.com"),
        })
        .collect()
}

/// A valid IIN: date of birth, century/sex digit, serial, and the check digit the official
/// algorithm gives (drawn again when no digit is valid for the first eleven).
pub fn iin(rng: &mut StdRng, female: bool) -> String {
    loop {
        let year: u32 = rng.gen_range(1950..=2005);
        let century = if year >= 2000 { 5 } else { 3 } + u32::from(female);
        let first = format!(
            "{:02}{:02}{:02}{century}{:04}",
            year % 100,
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
            rng.gen_range(0..10_000),
        );
        if let Some(valid) = (0..10)
            .map(|d| format!("{first}{d}"))
            .find(|c| Iin::parse(c).is_ok())
        {
            return valid;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_plays_the_same_script() {
        let a = plan(7, Duration::from_secs(60), 60.0, 6);
        let b = plan(7, Duration::from_secs(60), 60.0, 6);
        let key = |p: &Plan| {
            p.visits
                .iter()
                .map(|v| (v.at, v.citizen, v.channel, v.topic, v.fate, v.rating))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
        assert!(a.visits.len() > 40, "{}", a.visits.len());
        assert!(a.visits.iter().all(|v| v.at < Duration::from_secs(60)));
    }

    #[test]
    fn the_opening_fits_a_short_window() {
        let p = plan(1, Duration::from_secs(18), 60.0, 6);
        assert!(p.visits.len() >= OPENING.len());
        assert!(p.visits.iter().all(|v| v.at < Duration::from_secs(18)));
        assert!(p.visits.iter().any(|v| matches!(v.fate, Fate::Lost { .. })));
    }

    #[test]
    fn iins_are_valid() {
        let mut rng = StdRng::seed_from_u64(3);
        for i in 0..200 {
            let s = iin(&mut rng, i % 2 == 0);
            assert!(Iin::parse(&s).is_ok(), "{s}");
        }
    }
}

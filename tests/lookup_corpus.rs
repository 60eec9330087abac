//! A labelled corpus of lookups as students type them, run through the real
//! handlers against the bundled content: names, aliases, misspellings,
//! transliterations, Cyrillic, event names, abbreviations, first names that
//! several people share, people and terms the pack does not have, and dates
//! at every precision. Prints precision and recall, and fails on any wrong
//! answer given as the answer (a confident wrong answer).
//!
//! The pack grows while this corpus stands still, so an expectation of
//! "nothing found" is computed against the loaded content: if the pack has
//! since gained an item whose name, alias, title or id is exactly the query
//! (or, for a person, exactly the surname typed), that item is the expected
//! answer instead.

use chrono::{TimeZone, Utc};
use std::collections::HashMap;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::content::Content;
use studybot::handlers;
use studybot::request::Request;
use studybot::{App, Library, Reply};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This entry (by id) is the answer.
    Entry(&'static str),
    /// This event (by id) is the answer.
    Event(&'static str),
    /// Nothing is the answer (unless the pack has since gained it exactly).
    Nothing,
    /// Nothing is the answer, and this entry or event is among the buttons.
    Offers(&'static str),
}
use Expect::*;

/// (category, query, expectation).
const EXPLAIN: &[(&str, &str, Expect)] = &[
    // Exact names.
    ("name", "Joseph Stalin", Entry("stalin")),
    ("name", "Nikolai Yezhov", Entry("yezhov")),
    ("name", "Genrikh Yagoda", Entry("yagoda")),
    ("name", "Lavrentiy Beria", Entry("beria")),
    ("name", "Sergei Kirov", Entry("kirov")),
    ("name", "Leonid Nikolaev", Entry("nikolaev")),
    ("name", "Andrei Vyshinsky", Entry("vyshinsky")),
    ("name", "Nikolai Bukharin", Entry("bukharin")),
    ("name", "Georgy Pyatakov", Entry("pyatakov")),
    ("name", "Mikhail Tukhachevsky", Entry("tukhachevsky")),
    ("name", "Vasily Blyukher", Entry("blyukher")),
    ("name", "Nikita Khrushchev", Entry("khrushchev")),
    ("name", "Robert Conquest", Entry("robert-conquest")),
    ("name", "Troika", Entry("troika")),
    ("name", "Yezhovshchina", Entry("yezhovshchina")),
    ("name", "Great Purge", Entry("great-purge")),
    ("name", "Article 58", Entry("article-58")),
    ("name", "Show trial", Entry("show-trial")),
    ("name", "Enemy of the people", Entry("enemy-of-the-people")),
    ("name", "Gulag", Entry("gulag")),
    ("name", "Politburo", Entry("politburo")),
    ("name", "Butovo firing range", Entry("butovo")),
    ("name", "Kolyma", Entry("kolyma")),
    ("name", "Secret Speech", Entry("secret-speech")),
    ("name", "Stalin Constitution", Entry("stalin-constitution")),
    ("name", "Album procedure", Entry("album-procedure")),
    ("name", "Dvoika", Entry("dvoika")),
    ("name", "Sheila Fitzpatrick", Entry("sheila-fitzpatrick")),
    ("name", "Osip Mandelstam", Entry("osip-mandelstam")),
    ("name", "Fifth column", Entry("fifth-column")),
    // Aliases.
    ("alias", "Stalin", Entry("stalin")),
    ("alias", "Koba", Entry("stalin")),
    ("alias", "Yezhov", Entry("yezhov")),
    ("alias", "bloody dwarf", Entry("yezhov")),
    ("alias", "the bloody dwarf", Entry("yezhov")),
    ("alias", "Iron Commissar", Entry("yezhov")),
    ("alias", "Beria", Entry("beria")),
    ("alias", "Kirov's assassin", Entry("nikolaev")),
    ("alias", "Red Napoleon", Entry("tukhachevsky")),
    ("alias", "Great Terror", Entry("great-purge")),
    ("alias", "Year of 37", Entry("great-purge")),
    ("alias", "kulak operation", Entry("order-00447")),
    ("alias", "Polish operation", Entry("order-00485")),
    ("alias", "German operation", Entry("order-00439")),
    ("alias", "Harbin operation", Entry("order-00593")),
    ("alias", "wives order", Entry("order-00486")),
    ("alias", "Kirov decree", Entry("decree-1-december-1934")),
    ("alias", "first Moscow trial", Entry("trial-of-the-sixteen")),
    ("alias", "Bukharin trial", Entry("trial-of-the-twenty-one")),
    ("alias", "trial of the 17", Entry("trial-of-the-seventeen")),
    ("alias", "Moscow trials", Entry("show-trial")),
    (
        "alias",
        "enemies of the people",
        Entry("enemy-of-the-people"),
    ),
    ("alias", "vrag naroda", Entry("enemy-of-the-people")),
    ("alias", "personality cult", Entry("cult-of-personality")),
    ("alias", "quotas", Entry("limits")),
    ("alias", "Military Collegium", Entry("military-collegium")),
    ("alias", "Special Board", Entry("special-board")),
    ("alias", "Lubyanka prison", Entry("lubyanka")),
    ("alias", "Darkness at Noon", Entry("arthur-koestler")),
    ("alias", "Morozov", Entry("pavlik-morozov")),
    // Questions around a name.
    ("reworded", "who was Yezhov", Entry("yezhov")),
    ("reworded", "what is the troika", Entry("troika")),
    ("reworded", "who was Sergei Kirov?", Entry("kirov")),
    ("reworded", "sixteen trial", Entry("trial-of-the-sixteen")),
    // Misspellings.
    ("misspelt", "Yezov", Entry("yezhov")),
    ("misspelt", "Yeshov", Entry("yezhov")),
    ("misspelt", "Nikolai Yezov", Entry("yezhov")),
    ("misspelt", "Stallin", Entry("stalin")),
    ("misspelt", "Joesph Stalin", Entry("stalin")),
    ("misspelt", "Beriia", Entry("beria")),
    ("misspelt", "Lavrenty Berya", Entry("beria")),
    ("misspelt", "Yagodda", Entry("yagoda")),
    ("misspelt", "Tukhachevski", Entry("tukhachevsky")),
    ("misspelt", "Tukachevsky", Entry("tukhachevsky")),
    ("misspelt", "Tuhachevsky", Entry("tukhachevsky")),
    ("misspelt", "Vishinsky", Entry("vyshinsky")),
    ("misspelt", "Vyshinksy", Entry("vyshinsky")),
    ("misspelt", "Bukharn", Entry("bukharin")),
    ("misspelt", "Zinovev", Entry("zinoviev")),
    ("misspelt", "Kamanev", Entry("kamenev")),
    ("misspelt", "Pyatakof", Entry("pyatakov")),
    ("misspelt", "Kruschev", Entry("khrushchev")),
    ("misspelt", "Khruschov", Entry("khrushchev")),
    ("misspelt", "Molotow", Entry("molotov")),
    ("misspelt", "Voroshylov", Entry("voroshilov")),
    ("misspelt", "Ordzhonikidse", Entry("ordzhonikidze")),
    ("misspelt", "troiak", Entry("troika")),
    ("misspelt", "trojka", Entry("troika")),
    ("misspelt", "Yezhovshina", Entry("yezhovshchina")),
    ("misspelt", "Yezhovchina", Entry("yezhovshchina")),
    ("misspelt", "Gulagg", Entry("gulag")),
    ("misspelt", "Politbureau", Entry("politburo")),
    ("misspelt", "Lubyanca", Entry("lubyanka")),
    ("misspelt", "Kolymma", Entry("kolyma")),
    ("misspelt", "Sandarmok", Entry("sandarmokh")),
    ("misspelt", "Solzenitsyn", Entry("aleksandr-solzhenitsyn")),
    ("misspelt", "Mandelshtamm", Entry("osip-mandelstam")),
    ("misspelt", "denunciaton", Entry("denunciation")),
    ("misspelt", "kulakoperation", Entry("order-00447")),
    ("misspelt", "Shaposnikov", Entry("boris-shaposhnikov")),
    // Still typing.
    ("prefix", "Tukhachev", Entry("tukhachevsky")),
    ("prefix", "Vyshins", Entry("vyshinsky")),
    ("prefix", "Ordzhonik", Entry("ordzhonikidze")),
    ("prefix", "Khlevni", Entry("oleg-khlevniuk")),
    // Transliterations.
    ("transliteration", "Ezhov", Entry("yezhov")),
    ("transliteration", "Nikolay Ezhov", Entry("yezhov")),
    ("transliteration", "Ezhovshchina", Entry("yezhovshchina")),
    ("transliteration", "Ezhovschina", Entry("yezhovshchina")),
    ("transliteration", "Iagoda", Entry("yagoda")),
    ("transliteration", "Jagoda", Entry("yagoda")),
    ("transliteration", "Tukhachevskii", Entry("tukhachevsky")),
    ("transliteration", "Vyshinskiy", Entry("vyshinsky")),
    ("transliteration", "Zinovyev", Entry("zinoviev")),
    ("transliteration", "Piatakov", Entry("pyatakov")),
    ("transliteration", "Bliukher", Entry("blyukher")),
    ("transliteration", "Khlevnyuk", Entry("oleg-khlevniuk")),
    ("transliteration", "Lubianka", Entry("lubyanka")),
    ("transliteration", "Budenny", Entry("semyon-budyonny")),
    ("transliteration", "Ezhovshina", Entry("yezhovshchina")),
    ("transliteration", "Troyka", Entry("troika")),
    ("transliteration", "Genrich Jagoda", Entry("yagoda")),
    ("transliteration", "Lavrentii Beriia", Entry("beria")),
    ("transliteration", "Ežov", Entry("yezhov")),
    ("transliteration", "Nikolaj Ežov", Entry("yezhov")),
    // Cyrillic, transliterated before matching.
    ("cyrillic", "Ежов", Entry("yezhov")),
    ("cyrillic", "Николай Ежов", Entry("yezhov")),
    ("cyrillic", "тройка", Entry("troika")),
    ("cyrillic", "ежовщина", Entry("yezhovshchina")),
    ("cyrillic", "Сталин", Entry("stalin")),
    ("cyrillic", "Берия", Entry("beria")),
    ("cyrillic", "Ягода", Entry("yagoda")),
    ("cyrillic", "Бухарин", Entry("bukharin")),
    ("cyrillic", "Тухачевский", Entry("tukhachevsky")),
    ("cyrillic", "Хрущёв", Entry("khrushchev")),
    ("cyrillic", "Троцкий", Entry("trotsky")),
    ("cyrillic", "Киров", Entry("kirov")),
    ("cyrillic", "НКВД", Entry("nkvd")),
    ("cyrillic", "ГУЛАГ", Entry("gulag")),
    ("cyrillic", "Жуков", Nothing),
    ("cyrillic", "Наполеон", Nothing),
    // Abbreviations.
    ("abbreviation", "NKVD", Entry("nkvd")),
    ("abbreviation", "N.K.V.D.", Entry("nkvd")),
    ("abbreviation", "OGPU", Entry("ogpu")),
    ("abbreviation", "OSO", Entry("special-board")),
    ("abbreviation", "CPSU", Entry("communist-party")),
    ("abbreviation", "VKP(b)", Entry("communist-party")),
    ("abbreviation", "RKKA", Entry("red-army")),
    ("abbreviation", "Art. 58", Entry("article-58")),
    ("abbreviation", "ChSIR", Entry("family-members-of-traitors")),
    ("abbreviation", "GUGB", Entry("nkvd")),
    ("abbreviation", "447", Entry("order-00447")),
    ("abbreviation", "00485", Entry("order-00485")),
    ("abbreviation", "order 593", Entry("order-00593")),
    // Events, by title words, id or what students call them.
    ("event", "Congress of Victors", Event("congress-of-victors")),
    ("event", "Shakhty trial", Event("shakhty-trial")),
    ("event", "the Shakhty trial", Event("shakhty-trial")),
    ("event", "Korean deportation", Event("korean-deportation")),
    (
        "event",
        "deportation of the Koreans",
        Event("korean-deportation"),
    ),
    (
        "event",
        "Industrial Party trial",
        Event("industrial-party-trial"),
    ),
    ("event", "Menshevik trial", Event("menshevik-trial")),
    ("event", "Metro-Vickers trial", Event("metro-vickers-trial")),
    ("event", "law of spikelets", Event("law-of-spikelets")),
    ("event", "Kirov murder", Event("kirov-murder")),
    ("event", "Kremlin affair", Event("kremlin-affair")),
    ("event", "Leningrad affair", Event("leningrad-affair")),
    ("event", "Doctors' Plot", Event("doctors-plot-announced")),
    ("event", "doctors plot", Event("doctors-plot-announced")),
    ("event", "Latvian operation", Event("latvian-operation")),
    ("event", "Greek operation", Event("greek-operation")),
    ("event", "Lake Khasan", Event("lake-khasan")),
    (
        "event",
        "Dewey Commission",
        Event("dewey-commission-hearings"),
    ),
    ("event", "Shvernik commission", Event("shvernik-commission")),
    ("event", "Wall of Sorrow", Event("wall-of-sorrow-opened")),
    ("event", "Stalin dies", Event("stalin-death")),
    ("event", "death of Stalin", Event("stalin-death")),
    (
        "event",
        "Volga Germans deported",
        Event("volga-germans-deported"),
    ),
    ("event", "Yezhov arrested", Event("yezhov-arrested")),
    ("event", "Yezhov executed", Event("yezhov-executed")),
    ("event", "Solovetsky Stone", Event("solovki-stone-unveiled")),
    ("event", "Famine 1932-1933", Event("famine-1932-1933")),
    (
        "event",
        "Eighteenth Party Congress",
        Event("eighteenth-congress"),
    ),
    ("event", "torture telegram", Event("torture-telegram")),
    ("event", "Congres of Victors", Event("congress-of-victors")),
    ("event", "Shakty trial", Event("shakhty-trial")),
    ("event", "Kirov's murder", Event("kirov-murder")),
    (
        "event",
        "Trotsky assassination",
        Event("trotsky-assassinated"),
    ),
    ("event", "Kamenev trial", Entry("trial-of-the-sixteen")),
    // People the pack does not have: nothing found, the nearest offered.
    ("absent person", "Georgy Zhukov", Offers("pyatakov")),
    ("absent person", "Winston Churchill", Nothing),
    ("absent person", "Napoleon Bonaparte", Nothing),
    ("absent person", "Abraham Lincoln", Nothing),
    ("absent person", "Mikhail Lermontov", Offers("tukhachevsky")),
    ("absent person", "Nikolai Gogol", Nothing),
    ("absent person", "Ivan the Terrible", Nothing),
    ("absent person", "Peter the Great", Nothing),
    ("absent person", "Fidel Castro", Nothing),
    ("absent person", "Charles de Gaulle", Nothing),
    ("absent person", "Leo Tolstoy", Nothing),
    ("absent person", "Yuri Gagarin", Nothing),
    ("absent person", "Ivan Yezhov", Offers("yezhov")),
    ("absent person", "Sergei Stalin", Offers("stalin")),
    ("absent person", "Mikhail Kirov", Offers("kirov")),
    ("absent person", "Nikolai Kirov", Offers("kirov")),
    ("absent person", "Ivan Stalin", Offers("stalin")),
    ("absent person", "Yakov Sverdlov", Nothing),
    ("absent person", "Felix Dzerzhinsky", Nothing),
    ("absent person", "Kuznetsov", Nothing),
    ("absent person", "Marshal Zhukov", Nothing),
    // Terms and events the pack does not have.
    ("absent term", "Cuban missile crisis", Nothing),
    ("absent term", "Berlin Wall", Nothing),
    ("absent term", "Treaty of Versailles", Nothing),
    ("absent term", "Magna Carta", Nothing),
    ("absent term", "French Revolution", Nothing),
    ("absent term", "Special troika board", Nothing),
    ("absent term", "Order 00448", Nothing),
    ("absent term", "Order 448", Nothing),
    ("absent term", "Article 59", Nothing),
    ("absent term", "Decree of 2 December 1934", Nothing),
    ("absent term", "qwxz plorb", Nothing),
    ("absent term", "Gulag Olympics", Nothing),
    ("absent term", "assassination of Kirov", Offers("kirov")),
    ("absent term", "NKVD order 00448", Nothing),
    ("absent term", "Trial of the Twenty-Two", Nothing),
    ("absent term", "Special troika", Entry("troika")),
    // First names several people share, or one first name alone.
    ("first name", "Nikolai", Offers("yezhov")),
    ("first name", "Mikhail", Offers("tukhachevsky")),
    ("first name", "Georgy", Offers("pyatakov")),
    ("first name", "Lavrentiy", Offers("beria")),
    ("first name", "Sergei", Offers("kirov")),
    ("first name", "Andrei", Offers("vyshinsky")),
    ("first name", "Lev", Offers("kamenev")),
    ("first name", "Grigory", Offers("zinoviev")),
    ("first name", "Vasily", Offers("blyukher")),
    ("first name", "Robert", Offers("robert-conquest")),
    ("first name", "Genrikh", Offers("yagoda")),
    ("first name", "Nikita", Offers("khrushchev")),
    // Descriptions: offered, not answered.
    ("description", "who replaced Yezhov", Offers("beria")),
];

/// (category, query, an event id that must be on the first page).
const DATES: &[(&str, &str, &str)] = &[
    ("day", "1 December 1934", "kirov-murder"),
    ("day", "December 1, 1934", "kirov-murder"),
    ("day", "1934-12-01", "decree-1-december-1934-passed"),
    ("day", "1 Dec 1934", "kirov-murder"),
    ("day", "30 July 1937", "order-00447-signed"),
    ("day", "30th July 1937", "order-00447-signed"),
    ("day", "11 June 1937", "military-trial"),
    ("day", "12 June 1937", "tukhachevsky-executed"),
    ("day", "25 August 1936", "zinoviev-kamenev-executed"),
    ("day", "21 August 1936", "first-moscow-trial"),
    ("day", "17 November 1938", "mass-operations-ended"),
    ("day", "15 March 1938", "bukharin-executed"),
    ("day", "25 February 1956", "secret-speech-delivered"),
    ("day", "5 March 1953", "stalin-death"),
    ("month", "November 1938", "beria-heads-nkvd"),
    ("month", "Nov 1938", "yezhov-resigns"),
    ("month", "1938-11", "mass-operations-ended"),
    ("month", "August 1937", "order-00485-signed"),
    ("month", "July 1937", "order-00447-signed"),
    ("month", "June 1937", "tukhachevsky-executed"),
    ("month", "March 1938", "third-moscow-trial"),
    ("month", "August 1936", "first-moscow-trial"),
    ("month", "December 1934", "kirov-murder"),
    ("month", "January 1937", "second-moscow-trial"),
    ("month", "sept 1937", "order-00593-signed"),
    ("year", "1934", "kirov-murder"),
    ("year", "1936", "first-moscow-trial"),
    ("year", "1928", "shakhty-trial"),
    ("year", "1953", "stalin-death"),
    ("year", "in 1956", "secret-speech-delivered"),
    ("range", "1936-1938", "first-moscow-trial"),
    ("range", "1936-38", "first-moscow-trial"),
    ("range", "1936 to 1938", "first-moscow-trial"),
    ("range", "July - November 1938", "lake-khasan"),
    ("range", "July 1937 - November 1938", "order-00447-signed"),
    ("range", "19-24 August 1936", "first-moscow-trial"),
    ("range", "from 1934-12-01 to 1935-01-31", "kirov-murder"),
];

fn app() -> App {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).expect("bundled content loads");
    App::in_memory(Config::default(), library).unwrap()
}

fn ask(app: &App, command: &str, option: &str, value: &str) -> Reply {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    handlers::respond(app, &Request::command(command, &[(option, value)], now))
}

/// An item of the bundled content, as "entry:id" or "event:id".
type Item = String;

struct Index {
    /// Display name (entry name, event title) -> item.
    by_title: HashMap<String, Item>,
    /// Folded name, alias, title or id -> item.
    by_key: HashMap<String, Item>,
}

fn index(content: &Content) -> Index {
    let mut by_title = HashMap::new();
    // Where two items share a key, a name wins over an alias over an id or
    // title, as in the search: the weakest are written first, then
    // overwritten.
    let mut keyed: Vec<(u8, String, Item)> = Vec::new();
    for pack in &content.packs {
        let key = |text: &str| pack.spelling.key(text);
        for e in &pack.entries {
            let item = format!("entry:{}", e.id);
            by_title.insert(e.name.clone(), item.clone());
            keyed.push((0, key(&e.name), item.clone()));
            keyed.extend(e.aliases.iter().map(|a| (1, key(a), item.clone())));
            keyed.push((2, key(&e.id), item));
        }
        for e in &pack.events {
            let item = format!("event:{}", e.id);
            by_title.insert(e.title.clone(), item.clone());
            keyed.push((3, key(&e.title), item.clone()));
            keyed.extend(e.aliases.iter().map(|a| (1, key(a), item.clone())));
            keyed.push((2, key(&e.id), item));
        }
    }
    keyed.sort_by_key(|(rank, _, _)| std::cmp::Reverse(*rank));
    let by_key: HashMap<String, Item> = keyed.into_iter().map(|(_, k, i)| (k, i)).collect();
    Index { by_title, by_key }
}

/// What the reply answered with, if anything; and the items its buttons offer.
fn outcome(index: &Index, reply: &Reply) -> (Option<Item>, Vec<Item>) {
    let offered = reply
        .buttons
        .iter()
        .filter_map(|b| b.custom_id.strip_prefix("ex1:"))
        .filter_map(|id| id.split_once('/'))
        .filter_map(|(_, id)| {
            index
                .by_title
                .values()
                .find(|item| item.split_once(':').map(|(_, i)| i) == Some(id))
                .cloned()
        })
        .collect();
    match reply.title.as_deref() {
        Some("Nothing found") | None => (None, offered),
        Some(title) => (
            Some(
                index
                    .by_title
                    .get(title)
                    .cloned()
                    .unwrap_or_else(|| panic!("answer {title:?} is no entry or event")),
            ),
            offered,
        ),
    }
}

#[test]
fn lookup_corpus_has_no_confident_wrong_answers() {
    let app = app();
    let library = app.library();
    let index = index(&library.content);
    let spelling = &library.content.packs[0].spelling;
    assert!(
        EXPLAIN.len() + DATES.len() >= 200,
        "the corpus keeps 200 queries or more"
    );

    let (mut right, mut wrong, mut missed, mut rightly_none) = (0, 0, 0, 0);
    let (mut offered_ok, mut offered_total) = (0, 0);
    let mut by_category: Vec<(&str, usize, usize)> = Vec::new();
    let mut failures = Vec::new();
    for &(category, query, expect) in EXPLAIN {
        let labelled = match expect {
            Entry(id) => Some(format!("entry:{id}")),
            Event(id) => Some(format!("event:{id}")),
            Nothing | Offers(_) => None,
        };
        for item in labelled.iter() {
            assert!(
                index.by_title.values().any(|v| v == item),
                "the corpus expects {item} for {query:?}, which the pack no longer has"
            );
        }
        // What the pack names exactly is the answer, whatever the label
        // said when the pack was smaller.
        let exact = index.by_key.get(&spelling.key(query)).cloned();
        let surname = query
            .rsplit(' ')
            .next()
            .and_then(|last| index.by_key.get(&spelling.key(last)).cloned());
        let expected = exact.clone().or(labelled);
        let reply = ask(&app, "explain", "term", query);
        let (answer, offered) = outcome(&index, &reply);
        let ok = match (&answer, &expected) {
            (Some(a), Some(e)) if a == e => {
                right += 1;
                true
            }
            (None, None) => {
                rightly_none += 1;
                true
            }
            // A person the pack gained since, found by surname.
            (Some(a), None) if surname.as_ref() == Some(a) && labelled_absent(expect) => {
                right += 1;
                true
            }
            (Some(_), _) => {
                wrong += 1;
                false
            }
            (None, Some(_)) => {
                missed += 1;
                false
            }
        };
        if let (Offers(id), None, None) = (expect, &answer, &exact) {
            offered_total += 1;
            let wanted_entry = format!("entry:{id}");
            let wanted_event = format!("event:{id}");
            if offered
                .iter()
                .any(|o| *o == wanted_entry || *o == wanted_event)
            {
                offered_ok += 1;
            } else {
                failures.push(format!(
                    "{category}: {query:?} should offer {id}; offered {offered:?}"
                ));
            }
        }
        if !ok {
            failures.push(format!(
                "{category}: {query:?} expected {expected:?}, answered {answer:?} ({})",
                reply.text.lines().next().unwrap_or("")
            ));
        }
        match by_category.iter_mut().find(|(c, _, _)| *c == category) {
            Some(row) => {
                row.1 += 1;
                row.2 += usize::from(ok);
            }
            None => by_category.push((category, 1, usize::from(ok))),
        }
    }

    let precision = right as f64 / (right + wrong).max(1) as f64;
    let recall = right as f64 / (right + missed).max(1) as f64;
    println!("explain corpus: {} queries", EXPLAIN.len());
    for (category, total, ok) in &by_category {
        println!("  {category:<16} {ok:>3} of {total:>3} as labelled");
    }
    println!(
        "  answered rightly {right}, wrongly {wrong}; nothing found rightly {rightly_none}, wrongly {missed}"
    );
    println!("  precision {precision:.3}, recall {recall:.3}");
    println!("  nearest item offered as a button: {offered_ok} of {offered_total}");

    // Dates: the expected event is on the first page, and nothing that
    // only overlaps the period is listed before an event inside it.
    let pack = &library.content.packs[0];
    let (mut dates_found, mut misranked) = (0, 0);
    for &(category, query, id) in DATES {
        let event = pack.event(id).unwrap_or_else(|| {
            panic!("the corpus expects event {id}, which the pack no longer has")
        });
        let reply = ask(&app, "date", "when", query);
        let page: Vec<&str> = reply
            .text
            .split("\n\n")
            .filter_map(|block| block.lines().next())
            .collect();
        let line = format!("**{}** — {}", event.when, event.title);
        if page.contains(&line.as_str()) {
            dates_found += 1;
        } else {
            failures.push(format!(
                "{category}: date {query:?} does not show {id} on page 1: {page:?}"
            ));
        }
        let asked = match studybot::dates::query::parse(query) {
            Ok(studybot::dates::query::DateQuery::Period(w)) => w,
            other => panic!("{query}: {other:?}"),
        };
        let inside = |line: &str| {
            pack.events.iter().any(|e| {
                line == format!("**{}** — {}", e.when, e.title)
                    && e.when.first_day() >= asked.first_day()
                    && e.when.last_day() <= asked.last_day()
            })
        };
        let flags: Vec<bool> = page.iter().map(|l| inside(l)).collect();
        if flags.windows(2).any(|w| !w[0] && w[1]) {
            misranked += 1;
            failures.push(format!(
                "{category}: date {query:?} lists a surrounding event before one inside: {page:?}"
            ));
        }
    }
    println!(
        "date corpus: {} queries; expected event on page 1: {dates_found}; surrounding event before an inside one: {misranked}",
        DATES.len()
    );
    for f in &failures {
        println!("  {f}");
    }

    assert_eq!(
        wrong,
        0,
        "confident wrong answers:\n{}",
        failures.join("\n")
    );
    assert_eq!(misranked, 0, "{}", failures.join("\n"));
    assert_eq!(dates_found, DATES.len(), "{}", failures.join("\n"));
    assert_eq!(offered_ok, offered_total, "{}", failures.join("\n"));
    assert!(
        recall >= 0.97,
        "recall {recall:.3}:\n{}",
        failures.join("\n")
    );
}

fn labelled_absent(expect: Expect) -> bool {
    matches!(expect, Nothing | Offers(_))
}

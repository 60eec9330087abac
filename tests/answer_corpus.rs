//! The labelled corpus of typed answers: each case is a question (with the
//! answers its content accepts), a guess as students type it, the verdict a
//! fair teacher gives and why. Every guess goes through `quiz::judge`, the
//! one checker of daily, practice, review and competition questions, against
//! the bundled great-purge pack (its glossary is the rivals a near miss could
//! really mean) and a fixture pack of answers with numbers, dates and dotted
//! abbreviations. The test prints the confusion counts and fails on any wrong
//! answer accepted or on more than 2% of right answers refused.

use std::path::PathBuf;
use studybot::content::{Answer, Content};
use studybot::quiz;
use studybot::Library;

/// What a fair teacher says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Right,
    Wrong,
}
use Verdict::{Right, Wrong};

/// Cases about one question: `accepted` are answers its content accepts (the
/// test checks they are), then (guess, verdict, why).
struct Group {
    question: &'static str,
    accepted: &'static [&'static str],
    cases: &'static [(&'static str, Verdict, &'static str)],
}

const CORPUS: &[Group] = &[
    // ---- Names: typos, transpositions, transliterations ----
    Group {
        question: "great-purge/q-ft-yagoda-successor",
        accepted: &["Nikolai Yezhov", "Yezhov", "Ezhov"],
        cases: &[
            ("Yezhov", Right, "the answer"),
            ("yezhov", Right, "case does not matter"),
            ("YEZHOV!", Right, "case and punctuation"),
            ("Ezhov", Right, "a listed spelling"),
            ("Ežov", Right, "scholarly transliteration"),
            ("EŽOV", Right, "scholarly transliteration, capitals"),
            ("Ежов", Right, "Cyrillic"),
            ("Николай Ежов", Right, "Cyrillic full name"),
            ("Yezov", Right, "one letter lost"),
            ("Yehzov", Right, "a transposed pair is one typo"),
            ("Nikolai Yezhov", Right, "full name"),
            ("Nikolay Ezhov", Right, "variant first name and spelling"),
            ("Nikolai Yezhob", Right, "one typo in a long name"),
            (
                "I think it was Yezhov",
                Right,
                "the answer in a short sentence",
            ),
            ("it was Yezhov", Right, "the answer in a short sentence"),
            ("Yezhov I think", Right, "the answer then a hedge"),
            ("Yezhov, not sure", Right, "doubt is not another answer"),
            (
                "probably Nikolai Yezhov",
                Right,
                "a hedge before the answer",
            ),
            ("Yezhov replaced Yagoda", Wrong, "names another candidate"),
            ("Yagoda", Wrong, "the man he replaced"),
            ("Yagoda or Yezhov", Wrong, "a hedging list"),
            ("Yezhov, Beria", Wrong, "a list naming a wrong candidate"),
            ("Yezhov and Beria", Wrong, "two answers"),
            ("not Yezhov", Wrong, "a negation"),
            ("Beria", Wrong, "his successor"),
            ("Yez", Wrong, "a fragment"),
            ("Nikolai", Wrong, "a first name shared by others"),
            ("Nikolai Bukharin", Wrong, "another Nikolai"),
            ("Ежовщина", Wrong, "the period named after him, not the man"),
            (
                "Yezhovshchina",
                Wrong,
                "the period named after him, not the man",
            ),
            ("", Wrong, "nothing typed"),
            ("Yezhov?", Right, "a question mark"),
            ("Yezhof", Right, "one typo"),
            ("Ezhov Nikolai", Right, "surname first"),
            ("Comrade Yezhov", Right, "a title"),
            ("the bloody dwarf", Right, "an entry alias"),
            ("Yezhov's", Right, "a possessive"),
            ("Frinovsky", Wrong, "his deputy"),
            ("Yezhov's deputy", Wrong, "names someone else"),
            ("Yeltsin", Wrong, "another Soviet name"),
            ("Stalin", Wrong, "his master"),
        ],
    },
    Group {
        question: "great-purge/q-ft-yezhov-successor",
        accepted: &["Lavrenty Beria", "Beria"],
        cases: &[
            ("Beria", Right, "the answer"),
            ("Берия", Right, "Cyrillic"),
            ("Beriya", Right, "an entry alias of his"),
            ("Lavrentiy Beria", Right, "variant first name"),
            ("Lavrenti Pavlovich Beria", Right, "the entry's full name"),
            ("Bieria", Right, "one typo in a five-letter name"),
            ("Lavrentii Berya", Right, "a typo in a long name"),
            ("it was Beria", Right, "in a sentence"),
            ("Beria I guess", Right, "in a sentence"),
            ("Yezhov", Wrong, "the man he replaced"),
            ("Beria or Yezhov", Wrong, "a hedging list"),
            ("Beria, Yagoda, Yezhov", Wrong, "every NKVD chief"),
            ("Berman", Wrong, "another NKVD man, not a spelling"),
            ("Ber", Wrong, "a fragment"),
        ],
    },
    Group {
        question: "great-purge/q-ft-third-trial-yagoda",
        accepted: &["Genrikh Yagoda", "Yagoda", "Iagoda"],
        cases: &[
            ("Yagoda", Right, "the answer"),
            ("Jagoda", Right, "an entry alias"),
            ("Ягода", Right, "Cyrillic"),
            ("Yagdoa", Right, "a transposed pair"),
            ("Genrich Yagoda", Right, "an entry alias"),
            ("Yezhov", Wrong, "his successor"),
            ("Yagoda and Bukharin", Wrong, "two defendants"),
            ("Bukharin", Wrong, "another defendant of the same trial"),
        ],
    },
    Group {
        question: "great-purge/q-ft-tukhachevsky",
        accepted: &["Mikhail Tukhachevsky", "Tukhachevsky", "Tukhachevskii"],
        cases: &[
            ("Tukhachevsky", Right, "the answer"),
            ("Tukhachevskiy", Right, "a folded spelling variant"),
            ("Tuchachevsky", Right, "an entry alias"),
            ("Tukhachevksy", Right, "a transposed pair"),
            ("Tukachevsky", Right, "one letter lost"),
            ("Тухачевский", Right, "Cyrillic"),
            ("Tuchačevskij", Right, "scholarly transliteration"),
            ("Marshal Tukhachevsky", Right, "an entry alias"),
            ("I think Tukhachevsky", Right, "a hedge before the answer"),
            ("Tukhachevsky and Yakir", Wrong, "two of the accused"),
            ("Yakir", Wrong, "tried with him"),
            ("Blyukher", Wrong, "one of his judges"),
            ("Voroshilov", Wrong, "a marshal who survived"),
        ],
    },
    Group {
        question: "great-purge/q-ft-yakir",
        accepted: &["Iona Yakir", "Yakir"],
        cases: &[
            ("Yakir", Right, "the answer"),
            ("Iakir", Right, "a listed spelling"),
            ("Якир", Right, "Cyrillic"),
            ("Yakovlev", Wrong, "another man's name, not a typo"),
            (
                "Yakor",
                Right,
                "one typo in five letters, and no other name it could mean",
            ),
            ("Yakirr", Right, "one letter doubled"),
            ("Yak", Wrong, "a fragment"),
            ("Tukhachevsky", Wrong, "tried with him"),
        ],
    },
    Group {
        question: "great-purge/q-ft-khrushchev-moscow",
        accepted: &["Nikita Khrushchev", "Khrushchev", "Krushchev"],
        cases: &[
            ("Khrushchev", Right, "the answer"),
            ("Kruschev", Right, "a common misspelling, listed"),
            ("Khruschov", Right, "within the typo budget"),
            ("Chruščëv", Right, "scholarly transliteration"),
            ("Хрущёв", Right, "Cyrillic"),
            ("Khrushchyov", Right, "a typo"),
            ("Nikita Khrushchev I believe", Right, "in a sentence"),
            ("Kaganovich", Wrong, "his predecessor in Moscow"),
            ("Khrushchev or Kaganovich", Wrong, "a hedging list"),
            ("Nikita", Wrong, "a first name alone"),
        ],
    },
    Group {
        question: "great-purge/q-ft-prosecutor",
        accepted: &["Andrei Vyshinsky", "Vyshinsky", "Vyshinskii"],
        cases: &[
            ("Vyshinsky", Right, "the answer"),
            ("Vishinsky", Right, "an entry alias"),
            ("Vyshinskiy", Right, "a folded variant"),
            ("Вышинский", Right, "Cyrillic"),
            ("Vyšinskij", Right, "scholarly transliteration"),
            ("Vyhsinsky", Right, "a transposed pair"),
            (
                "the prosecutor was Vyshinsky",
                Right,
                "the question's own words frame it",
            ),
            ("Ulrikh", Wrong, "the presiding judge"),
            ("Krylenko", Wrong, "an earlier prosecutor"),
            ("Vyshinsky and Ulrikh", Wrong, "two answers"),
        ],
    },
    Group {
        question: "great-purge/q-ft-first-trial-zinoviev",
        accepted: &["Grigory Zinoviev", "Zinoviev", "Zinovyev"],
        cases: &[
            ("Zinoviev", Right, "the answer"),
            ("Zinov'ev", Right, "apostrophe for the soft sign"),
            ("Zinovʹev", Right, "scholarly prime for the soft sign"),
            ("Зиновьев", Right, "Cyrillic"),
            ("Zinovev", Right, "one letter lost"),
            ("Kamenev", Wrong, "the other defendant"),
            ("Zinoviev and Kamenev", Wrong, "two names"),
        ],
    },
    Group {
        question: "great-purge/q-ft-kirov-assassin",
        accepted: &["Leonid Nikolaev", "Nikolaev", "Nikolayev"],
        cases: &[
            ("Nikolaev", Right, "the answer"),
            ("Николаев", Right, "Cyrillic"),
            ("Nikolaiev", Right, "a typo"),
            ("Leonid Nikolaev", Right, "full name"),
            ("it was Leonid Nikolaev", Right, "in a sentence"),
            ("Kirov", Wrong, "the victim"),
            ("Nikolaev shot Kirov", Wrong, "names the victim too"),
            ("Stalin", Wrong, "suspected, not the gunman"),
        ],
    },
    Group {
        question: "great-purge/q-ft-blyukher",
        accepted: &["Vasily Blyukher", "Blyukher", "Blucher"],
        cases: &[
            ("Blyukher", Right, "the answer"),
            ("Blücher", Right, "German spelling, accent folded"),
            ("Блюхер", Right, "Cyrillic"),
            ("Bluecher", Right, "an entry alias"),
            ("Tukhachevsky", Wrong, "the man he judged"),
        ],
    },
    Group {
        question: "great-purge/q-ft-solzhenitsyn",
        accepted: &["Aleksandr Solzhenitsyn", "Solzhenitsyn"],
        cases: &[
            ("Solzhenitsyn", Right, "the answer"),
            (
                "Solženicyn",
                Right,
                "scholarly transliteration, within the budget",
            ),
            ("Солженицын", Right, "Cyrillic"),
            ("Solzhenitzyn", Right, "a folded variant"),
            ("Solzhenitysn", Right, "a transposed pair"),
            ("Conquest", Wrong, "another author on the Terror"),
        ],
    },
    Group {
        question: "great-purge/q-ft-molotov",
        accepted: &["Vyacheslav Molotov", "Molotov"],
        cases: &[
            ("Molotov", Right, "the answer"),
            ("Молотов", Right, "Cyrillic"),
            ("Molotv", Right, "one letter lost"),
            ("Skryabin", Right, "his birth name, an entry alias"),
            ("Mikoyan", Wrong, "another Politburo member"),
            ("Molotov or Kaganovich", Wrong, "a hedging list"),
        ],
    },
    Group {
        question: "great-purge/q-ft-sedov",
        accepted: &["Lev Sedov", "Sedov"],
        cases: &[
            ("Sedov", Right, "the answer"),
            ("Седов", Right, "Cyrillic"),
            ("Lev Sedov", Right, "full name"),
            ("Trotsky", Wrong, "his father"),
            ("Lev Trotsky", Wrong, "another Lev: his father"),
            ("Lev", Wrong, "a first name alone"),
        ],
    },
    Group {
        question: "great-purge/q-ft-yakovlev",
        accepted: &["Alexander Yakovlev", "Yakovlev"],
        cases: &[
            ("Yakovlev", Right, "the answer"),
            ("Iakovlev", Right, "a folded variant"),
            ("Яковлев", Right, "Cyrillic"),
            ("Yakir", Wrong, "a different man"),
            ("Gorbachev", Wrong, "the leader he served"),
        ],
    },
    // ---- Terms ----
    Group {
        question: "great-purge/q-ft-yezhovshchina",
        accepted: &["Yezhovshchina", "Ezhovshchina", "Yezhovschina"],
        cases: &[
            ("Yezhovshchina", Right, "the term"),
            ("ezhovschina", Right, "folded spelling"),
            ("ежовщина", Right, "Cyrillic"),
            ("Ežovščina", Right, "scholarly transliteration"),
            ("Yezhovshchna", Right, "one letter lost"),
            ("Yezhovschnia", Right, "a transposition and a fold"),
            ("Yezhov", Wrong, "the man, not the period"),
            (
                "Great Terror",
                Wrong,
                "the English name is another answer here",
            ),
        ],
    },
    Group {
        question: "great-purge/q-ft-troika",
        accepted: &["troika", "troyka", "NKVD troika"],
        cases: &[
            ("troika", Right, "the term"),
            ("тройка", Right, "Cyrillic"),
            ("Troika", Right, "capitalised"),
            ("NKVD troika", Right, "a listed answer"),
            ("the troikas", Right, "plural, listed"),
            ("a troika I think", Right, "in a sentence"),
            ("dvoika", Wrong, "the two-man body"),
            ("troika or dvoika", Wrong, "a hedging list"),
            ("troi", Wrong, "a fragment"),
        ],
    },
    Group {
        question: "great-purge/q-ft-dvoika",
        accepted: &["dvoika", "dvoyka"],
        cases: &[
            ("dvoika", Right, "the term"),
            ("двойка", Right, "Cyrillic"),
            ("dvoyka", Right, "a listed spelling"),
            ("troika", Wrong, "the three-member body"),
        ],
    },
    Group {
        question: "great-purge/q-ft-show-trial-term",
        accepted: &["show trial", "show trials"],
        cases: &[
            ("show trial", Right, "the term"),
            ("Show-trial", Right, "hyphenated"),
            ("show trails", Right, "a transposed pair"),
            ("a show trial", Right, "with an article"),
            ("trial", Wrong, "too general"),
            ("purge", Wrong, "another term"),
        ],
    },
    Group {
        question: "great-purge/q-ft-kulaks",
        accepted: &["kulaks", "kulak", "former kulaks"],
        cases: &[
            ("kulaks", Right, "the group"),
            ("кулаки", Right, "Cyrillic plural, a listed spelling"),
            ("Kulaks!", Right, "punctuation"),
            ("the kulaks", Right, "with an article"),
            ("kulak", Right, "singular"),
            ("kolkhoz", Wrong, "a collective farm, not the group"),
        ],
    },
    Group {
        question: "great-purge/q-ft-limits",
        accepted: &["limits", "limit", "limity"],
        cases: &[
            ("limits", Right, "the word"),
            ("лимиты", Right, "Cyrillic"),
            ("limit", Right, "singular"),
            ("quotas", Wrong, "the English idea, not the word asked"),
        ],
    },
    Group {
        question: "great-purge/q-ft-gulag",
        accepted: &["Gulag", "GULag"],
        cases: &[
            ("Gulag", Right, "the name"),
            ("G.U.L.A.G.", Right, "dotted"),
            ("ГУЛАГ", Right, "Cyrillic"),
            ("the gulag", Right, "with an article"),
            ("Gula", Wrong, "a fragment of a short answer"),
            ("Gulags", Right, "the plural: one letter more in five"),
            ("Gulagg", Right, "one letter doubled"),
        ],
    },
    Group {
        question: "great-purge/q-ft-kolyma",
        accepted: &["Kolyma", "Kolyma region"],
        cases: &[
            ("Kolyma", Right, "the region"),
            ("Колыма", Right, "Cyrillic"),
            ("Kolima", Right, "a folded i/y"),
            ("Kolyma region", Right, "listed"),
            ("Kolyma camps", Right, "the entry's alias"),
            ("Solovki", Wrong, "another camp"),
            ("Vorkuta", Wrong, "another camp region"),
        ],
    },
    Group {
        question: "great-purge/q-ft-lubyanka",
        accepted: &["Lubyanka", "Lubianka"],
        cases: &[
            ("Lubyanka", Right, "the building"),
            ("Лубянка", Right, "Cyrillic"),
            ("Lubjanka", Right, "German-style transliteration, one typo"),
            ("the Lubyanka prison", Right, "listed"),
            ("Lefortovo", Wrong, "another prison"),
            ("Butovo", Wrong, "the shooting ground"),
        ],
    },
    Group {
        question: "great-purge/q-ft-enemy-of-the-people",
        accepted: &[
            "enemy of the people",
            "enemies of the people",
            "vrag naroda",
        ],
        cases: &[
            ("enemy of the people", Right, "the label"),
            ("Enemies of the People", Right, "plural, capitals"),
            ("enemy of the peopel", Right, "a transposed pair"),
            ("враг народа", Right, "Cyrillic"),
            ("enemy", Wrong, "a fragment"),
            ("wrecker", Wrong, "another label"),
        ],
    },
    Group {
        question: "great-purge/q-ft-great-terror-name",
        accepted: &["Great Terror", "the Great Terror"],
        cases: &[
            ("the Great Terror", Right, "the name"),
            ("great terorr", Right, "a transposed pair"),
            ("Great Purge", Wrong, "the name the question already gives"),
            ("Red Terror", Wrong, "another terror"),
        ],
    },
    Group {
        question: "great-purge/q-ft-politburo",
        accepted: &["Politburo", "Political Bureau"],
        cases: &[
            ("Politburo", Right, "the body"),
            ("Политбюро", Right, "Cyrillic"),
            ("Polit bureau", Right, "within the budget"),
            ("Orgburo", Wrong, "another body"),
            ("Central Committee", Wrong, "another body"),
        ],
    },
    Group {
        question: "great-purge/q-ft-kirov-city",
        accepted: &["Leningrad", "St Petersburg", "St. Petersburg"],
        cases: &[
            ("Leningrad", Right, "the city"),
            ("Ленинград", Right, "Cyrillic"),
            ("St. Petersburg", Right, "listed"),
            ("Saint-Petersburg", Right, "hyphenated"),
            ("Lenningrad", Right, "one letter doubled"),
            ("Moscow", Wrong, "another city"),
            ("Leningrad or Moscow", Wrong, "a hedging list"),
        ],
    },
    // ---- Abbreviations ----
    Group {
        question: "great-purge/q-ft-nkvd",
        accepted: &["NKVD", "N.K.V.D."],
        cases: &[
            ("NKVD", Right, "the abbreviation"),
            ("N.K.V.D.", Right, "dotted"),
            ("N K V D", Right, "spaced"),
            ("n.k.v.d", Right, "dotted, lower case"),
            ("НКВД", Right, "Cyrillic"),
            ("the NKVD", Right, "with an article"),
            ("it was the N.K.V.D.", Right, "in a sentence"),
            ("NKGB", Wrong, "another body, same length"),
            ("OGPU", Wrong, "its predecessor"),
            ("NKVD or OGPU", Wrong, "a hedging list"),
            ("NKV", Wrong, "a fragment"),
            ("KGB", Wrong, "a later body"),
        ],
    },
    Group {
        question: "great-purge/q-ft-ogpu",
        accepted: &["OGPU", "O.G.P.U.", "Joint State Political Directorate"],
        cases: &[
            ("OGPU", Right, "the abbreviation"),
            ("O G P U", Right, "spaced"),
            ("ОГПУ", Right, "Cyrillic"),
            ("GPU", Wrong, "the GPU of 1922-23, which became the OGPU"),
            ("Joint State Political Directorate", Right, "the full name"),
            ("NKVD", Wrong, "what absorbed it"),
            ("Cheka", Wrong, "its forerunner"),
        ],
    },
    Group {
        question: "corpus/nkvd",
        accepted: &["N.K.V.D."],
        cases: &[
            ("NKVD", Right, "a dotted answer meets the plain one"),
            ("N. K. V. D.", Right, "dots and spaces"),
            ("nkvd I think", Right, "in a sentence"),
            ("MGB", Wrong, "a later ministry, an entry"),
            ("OGPU", Wrong, "an entry"),
        ],
    },
    // ---- Document numbers ----
    Group {
        question: "corpus/order",
        accepted: &["Order No. 00447", "Order 00447", "00447"],
        cases: &[
            ("Order No. 00447", Right, "as written"),
            ("order no 00447", Right, "without the dot"),
            ("Order Nº 00447", Right, "numero sign"),
            ("Order #00447", Right, "hash sign"),
            ("Order № 00447", Right, "Cyrillic numero sign"),
            ("No. 00447", Right, "the number alone with its mark"),
            ("00447", Right, "the number alone, listed"),
            ("Ordr 00447", Right, "a typo in the word, the number exact"),
            ("it was order 00447", Right, "in a sentence"),
            ("Order 00448", Wrong, "another digit is another order"),
            ("Order 00474", Wrong, "transposed digits are another order"),
            ("Order 00485", Wrong, "the Polish order, an entry"),
            ("Order No. 00486", Wrong, "another order, an entry"),
            (
                "Order 447",
                Wrong,
                "leading zeros only where the content says so",
            ),
            ("Order 00439", Wrong, "a distractor of the choice question"),
            ("00447 or 00485", Wrong, "a hedging list"),
            ("Order 0447", Wrong, "one zero lost is another number"),
        ],
    },
    Group {
        question: "corpus/order-short",
        accepted: &["00447", "447"],
        cases: &[
            ("447", Right, "the content lists the short form"),
            ("00447", Right, "as written"),
            ("No. 447", Right, "number mark"),
            ("#447", Right, "hash"),
            ("448", Wrong, "another digit"),
            ("4470", Wrong, "an extra digit"),
        ],
    },
    Group {
        question: "corpus/article",
        accepted: &["Article 58", "58"],
        cases: &[
            ("Article 58", Right, "the article"),
            ("article 58", Right, "case"),
            ("Artcile 58", Right, "a transposed pair in the word"),
            ("58", Right, "the number, listed"),
            (
                "Article 58 of the criminal code",
                Right,
                "the entry's alias",
            ),
            ("Article 59", Wrong, "another article, an entry"),
            ("Article 85", Wrong, "transposed digits"),
            ("Article 5", Wrong, "a digit lost"),
            ("Article 58 or 59", Wrong, "a hedging list"),
        ],
    },
    Group {
        question: "corpus/congress",
        accepted: &["17th Congress", "Seventeenth Congress"],
        cases: &[
            ("17th Congress", Right, "as written"),
            ("17th Party Congress", Right, "listed"),
            ("Seventeenth Congress", Right, "in words"),
            ("17th Congres", Right, "a typo in the word"),
            ("18th Congress", Wrong, "another congress"),
            ("16th Congress", Wrong, "another congress"),
            ("71st Congress", Wrong, "digits transposed"),
        ],
    },
    // ---- Dates ----
    Group {
        question: "corpus/kirov-day",
        accepted: &["1 December 1934", "December 1, 1934"],
        cases: &[
            ("1 December 1934", Right, "as written"),
            ("December 1, 1934", Right, "American order, listed"),
            ("1 Decmeber 1934", Right, "a transposed pair in the month"),
            ("1 Dec 1934", Right, "listed abbreviation"),
            ("2 December 1934", Wrong, "another day"),
            ("1 December 1935", Wrong, "another year"),
            ("11 December 1934", Wrong, "another day"),
            ("1 December 1943", Wrong, "transposed digits in the year"),
        ],
    },
    // ---- Numbers ----
    Group {
        question: "great-purge/q-num-order-00447-number",
        accepted: &["447"],
        cases: &[
            ("447", Right, "the number"),
            (
                "00447",
                Right,
                "the question says leading zeros may be left out",
            ),
            ("No. 00447", Right, "number mark"),
            ("Nº 447", Right, "numero sign"),
            ("#00447", Right, "hash"),
            (
                "order 00447",
                Right,
                "the question's own word frames the number",
            ),
            ("it was order no. 447", Right, "framed, with a number mark"),
            ("448", Wrong, "another order"),
            ("474", Wrong, "transposed digits"),
            ("485", Wrong, "the Polish order"),
        ],
    },
    Group {
        question: "great-purge/q-num-second-trial-year",
        accepted: &["1937"],
        cases: &[
            ("1937", Right, "the year"),
            ("in 1937", Right, "framed"),
            ("I think 1937", Right, "framed"),
            ("1937 I think", Right, "framed after"),
            ("1938", Wrong, "another year"),
            ("1973", Wrong, "transposed digits"),
            ("1936 or 1937", Wrong, "a hedging list"),
            ("1937-38", Wrong, "a range"),
            ("not 1937", Wrong, "a negation"),
        ],
    },
    Group {
        question: "great-purge/q-num-third-trial-defendants",
        accepted: &["21"],
        cases: &[
            ("21", Right, "the count"),
            ("21 defendants", Right, "with the unit"),
            ("twenty-one", Right, "in words"),
            ("Twenty one defendants", Right, "in words with the unit"),
            ("twenty", Wrong, "off by one, in words"),
            ("twenty or twenty-one", Wrong, "a hedging list in words"),
            ("20", Wrong, "off by one"),
            ("about 20", Wrong, "hedged and not exact"),
            ("12", Wrong, "transposed digits"),
        ],
    },
    Group {
        question: "great-purge/q-num-seventeenth-delegates-arrested",
        accepted: &["1108 (within 10)"],
        cases: &[
            ("1108", Right, "exact"),
            ("1,108", Right, "thousands comma"),
            ("1 108", Right, "thousands space"),
            ("1,100", Right, "within the question's tolerance"),
            ("about 1,110", Right, "hedged, within tolerance"),
            ("1,966", Wrong, "all the delegates"),
            ("1,000", Wrong, "outside the tolerance"),
        ],
    },
    Group {
        question: "great-purge/q-num-order-00447-arrest-limit",
        accepted: &["259450 (within 10000)"],
        cases: &[
            ("259,450", Right, "exact"),
            ("259.45k", Right, "thousands suffix"),
            ("about 260 thousand", Right, "hedged, within tolerance"),
            ("0.26 million", Right, "millions"),
            ("300,000", Wrong, "outside the tolerance"),
            ("72,950", Wrong, "the first-category limit"),
        ],
    },
    Group {
        question: "great-purge/q-num-military-trial-day",
        accepted: &["11"],
        cases: &[
            ("11", Right, "the day"),
            ("11th", Right, "ordinal"),
            ("12", Wrong, "another day of the month"),
            ("1", Wrong, "a digit lost"),
        ],
    },
];

fn content() -> Content {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (library, _) = Library::load(&[
        root.join("content/great-purge"),
        root.join("tests/fixtures/answer-corpus-pack.toml"),
    ])
    .expect("the corpus content loads");
    library.content.clone()
}

/// Everything a question accepts as written in its content (for checking
/// that a group's `accepted` is what the content says).
fn accepted_by(content: &Content, key: &str) -> Vec<String> {
    let (pack, question) = quiz::find(content, key).unwrap_or_else(|| panic!("{key} exists"));
    match &question.answer {
        Answer::FreeText { answers, entry } => {
            let mut all = answers.clone();
            if let Some(entry) = entry.as_deref().and_then(|id| pack.entry(id)) {
                all.push(entry.name.clone());
                all.extend(entry.aliases.iter().cloned());
            }
            all
        }
        Answer::Numeric {
            value, tolerance, ..
        } => {
            let value = format!("{value}");
            if *tolerance > 0.0 {
                vec![format!("{value} (within {tolerance})")]
            } else {
                vec![value]
            }
        }
        _ => panic!("{key} is not a typed question"),
    }
}

#[test]
fn replies_say_what_happened() {
    let content = content();
    let said = |key: &str, guess: &str| {
        let (pack, question) = quiz::find(&content, key).unwrap();
        let judged = quiz::judge(pack, question, None, Some(guess));
        (judged.correct, judged.message())
    };
    assert_eq!(
        said("great-purge/q-ft-yagoda-successor", "Yezov"),
        (
            true,
            Some("Accepted: the usual spelling is Yezhov.".to_string())
        )
    );
    assert_eq!(
        said("great-purge/q-ft-yagoda-successor", "Nikolai Yezhob"),
        (
            true,
            Some("Accepted: the usual spelling is Nikolai Yezhov.".to_string())
        )
    );
    assert_eq!(
        said("great-purge/q-ft-tukhachevsky", "Tuhachevsky"),
        (
            true,
            Some("Accepted: the usual spelling is Tukhachevsky.".to_string())
        )
    );
    assert_eq!(
        said("great-purge/q-ft-yagoda-successor", "Ежов"),
        (true, None)
    );
    assert_eq!(
        said("great-purge/q-ft-yagoda-successor", "Yezhov"),
        (true, None)
    );
    assert_eq!(
        said("great-purge/q-num-third-trial-defendants", "about 20"),
        (
            false,
            Some("Not accepted: this question wants the exact figure.".to_string())
        )
    );
    assert_eq!(
        said("great-purge/q-num-third-trial-defendants", "19"),
        (false, None),
        "plainly another count"
    );
    assert_eq!(
        said("corpus/order", "Order 00448"),
        (
            false,
            Some(
                "Not accepted: numbers must be exact, a different digit is a different answer."
                    .to_string()
            )
        )
    );
}

#[test]
fn the_corpus_is_judged_as_a_fair_teacher_would() {
    let content = content();
    let (mut right_accepted, mut right_refused, mut wrong_refused, mut wrong_accepted) =
        (0, 0, 0, 0);
    let mut misjudged = Vec::new();
    let mut stale = Vec::new();
    let mut cases = 0;
    for group in CORPUS {
        let listed = accepted_by(&content, group.question);
        for a in group.accepted {
            if !listed.iter().any(|l| l == a) {
                stale.push(format!(
                    "{}: '{a}' is not an answer its content accepts ({listed:?})",
                    group.question
                ));
            }
        }
        let (pack, question) = quiz::find(&content, group.question).unwrap();
        for (guess, verdict, why) in group.cases {
            cases += 1;
            let judged = quiz::judge(pack, question, None, Some(guess));
            match (verdict, judged.correct) {
                (Right, true) => right_accepted += 1,
                (Right, false) => right_refused += 1,
                (Wrong, false) => wrong_refused += 1,
                (Wrong, true) => wrong_accepted += 1,
            }
            if (*verdict == Right) != judged.correct {
                misjudged.push(format!(
                    "  {verdict:?} judged {}: {} <- \"{guess}\" ({why}) {:?}",
                    if judged.correct { "right" } else { "wrong" },
                    group.question,
                    judged.message()
                ));
            }
        }
    }
    let rights = right_accepted + right_refused;
    println!(
        "answer corpus: {cases} cases ({rights} right answers, {} wrong)",
        cases - rights
    );
    println!("                     judged right  judged wrong");
    println!("  right answers      {right_accepted:>12}  {right_refused:>12}");
    println!("  wrong answers      {wrong_accepted:>12}  {wrong_refused:>12}");
    println!(
        "  wrong answers accepted: {wrong_accepted}; right answers refused: {right_refused} ({:.1}%)",
        100.0 * right_refused as f64 / rights as f64
    );
    for line in &misjudged {
        println!("{line}");
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
    assert!(cases >= 150, "the corpus has {cases} cases");
    assert_eq!(
        wrong_accepted,
        0,
        "wrong answers accepted:\n{}",
        misjudged.join("\n")
    );
    assert!(
        right_refused as f64 <= 0.02 * rights as f64,
        "{right_refused} of {rights} right answers refused:\n{}",
        misjudged.join("\n")
    );
}

/// The checker's notes reach the student: a practice answer through the
/// handlers, as Discord delivers it.
#[test]
fn a_practice_reply_says_what_was_accepted_and_promises_no_points() {
    use chrono::{TimeZone, Utc};
    use studybot::config::Config;
    use studybot::handlers;
    use studybot::request::{Action, ChannelId, GuildId, InteractionId, Request, UserId};

    let pack = r#"
[pack]
id = "one"
title = "One question"
description = "A single typed question"
spelling = [["yezh", "ezh"]]

[[sources]]
id = "s1"
kind = "notes"
title = "Test notes"

[[entries]]
id = "yagoda"
kind = "person"
name = "Genrikh Yagoda"
aliases = ["Yagoda"]
definition = "NKVD chief 1934-36."
explanation = "Replaced by Yezhov."
sources = ["s1"]

[[questions]]
id = "who"
kind = "free_text"
difficulty = "easy"
prompt = "Who replaced Yagoda as head of the NKVD in 1936?"
answers = ["Nikolai Yezhov", "Yezhov"]
explanation = "Yezhov ran the mass operations."
sources = ["s1"]
"#;
    let path = std::env::temp_dir().join(format!("answer-corpus-{}.toml", std::process::id()));
    std::fs::write(&path, pack).unwrap();
    let (library, _) = Library::load(std::slice::from_ref(&path)).unwrap();
    std::fs::remove_file(&path).unwrap();
    let app = studybot::App::in_memory(Config::default(), library).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let request = |action: Action, interaction: u64| Request {
        action,
        guild: Some(GuildId(10)),
        channel: Some(ChannelId(99)),
        user: UserId(7),
        display_name: "anna".into(),
        teacher: false,
        roles: Vec::new(),
        interaction: InteractionId(interaction),
        now,
        attachment: None,
    };
    let answer = |typed: &str, interaction: u64| {
        let quiz = handlers::respond(
            &app,
            &request(
                Action::Command {
                    name: "quiz".into(),
                    subcommands: vec![],
                    options: Default::default(),
                },
                interaction,
            ),
        );
        let custom_id = quiz.buttons[0].custom_id.clone();
        assert!(custom_id.starts_with("qa1:"), "{custom_id}");
        handlers::respond(
            &app,
            &request(
                Action::Press {
                    custom_id,
                    input: Some(typed.into()),
                },
                interaction + 1,
            ),
        )
    };
    let typo = answer("Yezov", 1);
    assert_eq!(typo.title.as_deref(), Some("Correct!"), "{typo:?}");
    assert!(
        typo.text.starts_with(
            "Accepted: the usual spelling is Yezhov.\n\nThe answer: **Nikolai Yezhov**"
        ),
        "{}",
        typo.text
    );
    let exact = answer("Ежов", 3);
    assert_eq!(exact.title.as_deref(), Some("Correct!"));
    assert!(exact.text.starts_with("The answer: **Nikolai Yezhov**"));
    let rival = answer("Yagoda or Yezhov", 5);
    assert_eq!(rival.title.as_deref(), Some("Not quite"));
}

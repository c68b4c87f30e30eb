//! Latin keys for names written in scripts whose romanisation is not one-to-one: a name in Arabic,
//! Hebrew, Han, Hangul, kana, Thai or Devanagari yields a small set of Latin renderings ("keys"), each
//! named by its scheme; matching against a Latin name takes the best key (`score::score_names`).
//!
//! | script | keys | how |
//! |---|---|---|
//! | Arabic, Persian | `ar` (abjad) | letters by the table below; `ال` split off as `al`; `بن`/`ابن`/`بنت`/`ابو`/`عبد` as particles; short vowels are not written, so tokens compare by consonant skeleton |
//! | Hebrew | `he` (abjad) | `any_ascii` letter by letter; consonant skeleton |
//! | Devanagari | `hi` (abjad) | `any_ascii` (inherent vowels dropped, anusvara as `m`); consonant skeleton |
//! | Thai | `th` (abjad) | `any_ascii` letter by letter (RTGS-like consonants); consonant skeleton (implicit vowels and final-consonant values vary) |
//! | Han | `zh-pinyin`, `zh-wade-giles`, `ko-hanja`, `ja-kanji` | `any_ascii` Hanyu Pinyin (surname apart, given name joined; special surname readings from a table); Wade–Giles by syllable rules; the Korean reading of common Hanja surnames (金 Kim, 李 Lee/Ri, 朴 Park/Pak); common Japanese surnames in kanji |
//! | Hangul | `ko-rr`, `ko-mr` | Revised Romanization from the jamo; the DPRK/McCune–Reischauer spelling the lists use (`Kim Jong Un`, `Ri Pyong Chol`); common surnames in their usual spellings (Lee, Park, Choi / Ri, Pak, Choe) |
//! | kana | `ja-hepburn` | Hepburn from `any_ascii` syllables with yōon (`きょ` kyo), sokuon (`っ` doubles) and the long mark dropped |
//!
//! Cyrillic, Greek, Armenian and Georgian are alphabets with near one-to-one romanisations: they are
//! transliterated in `normalize::fold` and need no keys. Other scripts get one `any_ascii` key.

use clearway_lists::Script;

/// One Latin rendering of a name.
#[derive(Debug, Clone, PartialEq)]
pub struct LatinKey {
    /// The scheme (`ar`, `zh-pinyin`, `ko-mr` ...).
    pub scheme: &'static str,
    /// The rendering, lower case, words separated by spaces.
    pub text: String,
    /// How the rendering's words compare with spelled-out words.
    pub compare: Compare,
}

/// How the words of a Latin key compare with spelled-out Latin words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// As any spelled word (edit budget, confusable letters): Hangul and kana renderings.
    Spelled,
    /// By consonant skeleton: vowels are not written (an abjad) or cannot be trusted.
    Skeleton,
    /// Only when equal: Han readings, where one letter more or less is another syllable and so another
    /// character (`cheng` is not `sheng`); spelling systems are separate keys.
    Exact,
}

/// The script a name is compared in: the dominant script, except that any kana makes a name Japanese.
pub fn script_of(s: &str) -> Script {
    if s.is_ascii() {
        return Script::Latin;
    }
    if s.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF)) {
        return Script::Kana;
    }
    Script::detect(s)
}

/// Whether names in this script get Latin keys (the others are folded to Latin directly).
pub fn keyed(s: Script) -> bool {
    !matches!(s, Script::Latin | Script::Cyrillic | Script::Greek | Script::Armenian | Script::Georgian)
}

/// The most keys one name yields.
pub const MAX_KEYS: usize = 4;

/// Latin keys of a name in `script` (empty for the scripts [`keyed`] rejects).
pub fn keys(name: &str, script: Script) -> Vec<LatinKey> {
    let mut out: Vec<LatinKey> = Vec::new();
    let mut add = |scheme: &'static str, text: String, compare: Compare| {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() && !out.iter().any(|k| k.text == text) && out.len() < MAX_KEYS {
            out.push(LatinKey { scheme, text, compare });
        }
    };
    match script {
        Script::Arabic => add("ar", arabic(name), Compare::Skeleton),
        Script::Hebrew => add("he", ascii_words(name), Compare::Skeleton),
        Script::Devanagari => add("hi", ascii_words(name), Compare::Skeleton),
        Script::Thai => add("th", ascii_words(name), Compare::Skeleton),
        Script::Hangul => {
            for (scheme, t) in hangul_keys(name) {
                add(scheme, t, Compare::Spelled);
            }
        }
        Script::Kana => add("ja-hepburn", kana(name), Compare::Spelled),
        Script::Han => {
            // A foreign name written in Han by sound (`贝拉克·奥巴马` Barack Obama, words joined by a middle
            // dot) loses consonants to Chinese syllables: its Pinyin compares by skeleton.
            let foreign = name.contains(['·', '・', '•']);
            for (scheme, t) in han_keys(name) {
                add(scheme, t, if foreign { Compare::Skeleton } else { Compare::Exact });
            }
        }
        // Abugidas without a table here (Bengali, Khmer, Ethiopic ...): `any_ascii` drops or guesses the
        // inherent vowels, so its rendering compares by skeleton.
        Script::Other => add("any-ascii", ascii_words(name), Compare::Skeleton),
        _ => {}
    }
    out
}

/// `any_ascii` of each character, words kept apart, punctuation to spaces, lower case.
fn ascii_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
            out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.replace(['`', '\''], "")
}

/// Arabic and Persian letters as their common Latin spellings (long vowels as vowels, which the skeleton
/// drops; `ع` and hamza unwritten).
fn arabic_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' | 'ى' | 'ة' => "a",
        'ء' | 'ؤ' | 'ئ' | 'ع' | 'ـ' => "",
        'ب' => "b",
        'ت' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' => "h",
        'خ' => "kh",
        'د' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' => "s",
        'ش' => "sh",
        'ص' => "s",
        'ض' => "d",
        'ط' => "t",
        'ظ' => "z",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'ه' | 'ۀ' => "h",
        'و' => "w",
        'ي' | 'ی' | 'ې' => "y",
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        _ => return None,
    })
}

/// Arabic-script name → Latin consonant rendering, with the article and the name particles apart, and
/// the compounds Latin spellings join (`عبد الله` Abdallah, `هداية الله` Hidayatullah, `نور الدين`
/// Nuruddin) joined.
fn arabic(s: &str) -> String {
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric() && !is_arabic_mark(c))
        .map(|w| w.chars().filter(|c| !is_arabic_mark(*c)).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::with_capacity(s.len() * 2);
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        if !out.is_empty() {
            out.push(' ');
        }
        i += 1;
        match w {
            "بن" => out.push_str("bin"),
            "ابن" | "إبن" => out.push_str("ibn"),
            "بنت" => out.push_str("bint"),
            "ابو" | "أبو" | "ابي" | "أبي" | "ابا" | "أبا" => out.push_str("abu"),
            "آل" => out.push_str("al"),
            "عبد" if next == Some("الله") => {
                out.push_str("abdallah");
                i += 1;
            }
            "عبد" => out.push_str("abd"),
            "الله" => out.push_str("allah"),
            _ => {
                let mut rest = w;
                // Written joined: `عبدالرحمن` as `عبد الرحمن`, `عبدالله` Abdallah.
                if let Some(r) = rest.strip_prefix("عبد").filter(|r| r.chars().count() >= 3) {
                    if r == "الله" || r == "لله" {
                        out.push_str("abdallah");
                        continue;
                    }
                    out.push_str("abd ");
                    rest = r;
                }
                // The article is written joined to its word (`التكريتي` al-Tikriti).
                for pre in ["وال", "بال", "ال"] {
                    if let Some(r) = rest.strip_prefix(pre) {
                        if r.chars().count() >= 2 {
                            out.push_str("al ");
                            rest = r;
                        }
                        break;
                    }
                }
                letters(rest, &mut out);
                // `X الله`, `X الدين` are one name in Latin (Hidayatullah, Jalaluddin).
                if let Some(n) = next.filter(|n| *n == "الله" || *n == "الدين" || *n == "الدین") {
                    out.push_str(if n == "الله" { "allah" } else { "aldin" });
                    i += 1;
                }
            }
        }
    }
    out
}

fn letters(w: &str, out: &mut String) {
    for c in w.chars() {
        match arabic_letter(c) {
            Some(l) => out.push_str(l),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {
                if let Some(d) = c.to_digit(10) {
                    out.push(char::from(b'0' + d as u8));
                }
            }
        }
    }
}

fn is_arabic_mark(c: char) -> bool {
    matches!(c as u32, 0x610..=0x61A | 0x64B..=0x65F | 0x670 | 0x6D6..=0x6ED)
}

// ---- Hangul ----

/// Initial consonants: Revised Romanization, and the DPRK (McCune–Reischauer, no diacritics) spelling
/// of a syllable written on its own (`Kim Jong Un`, `Jang Song Thaek`, `Pak Pong Ju`).
const INITIAL_RR: [&str; 19] = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const INITIAL_MR: [&str; 19] = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h"];
const VOWEL_RR: [&str; 21] =
    ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];
const VOWEL_MR: [&str; 21] =
    ["a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"];
const FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p",
    "t",
];

fn jamo(c: char) -> Option<(usize, usize, usize)> {
    let cp = c as u32;
    if !(0xAC00..=0xD7A3).contains(&cp) {
        return None;
    }
    let s = cp - 0xAC00;
    Some(((s / 588) as usize, ((s % 588) / 28) as usize, (s % 28) as usize))
}

/// One syllable in RR (initial by its medial value when `medial`) or MR.
fn syllable(c: char, mr: bool, out: &mut String) {
    if let Some((l, v, t)) = jamo(c) {
        out.push_str(if mr { INITIAL_MR[l] } else { INITIAL_RR[l] });
        out.push_str(if mr { VOWEL_MR[v] } else { VOWEL_RR[v] });
        out.push_str(FINAL[t]);
    } else if c.is_alphanumeric() {
        out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
    }
}

/// Common Korean surnames: Hangul, the usual South Korean spelling, the DPRK spelling. (Facts.)
const KO_SURNAMES: &[(&str, &str, &str)] = &[
    ("김", "kim", "kim"),
    ("이", "lee", "ri"),
    ("리", "lee", "ri"),
    ("박", "park", "pak"),
    ("최", "choi", "choe"),
    ("정", "jung", "jong"),
    ("강", "kang", "kang"),
    ("조", "cho", "jo"),
    ("윤", "yoon", "yun"),
    ("장", "jang", "jang"),
    ("임", "lim", "rim"),
    ("림", "lim", "rim"),
    ("한", "han", "han"),
    ("오", "oh", "o"),
    ("서", "seo", "so"),
    ("신", "shin", "sin"),
    ("권", "kwon", "kwon"),
    ("황", "hwang", "hwang"),
    ("안", "ahn", "an"),
    ("송", "song", "song"),
    ("류", "ryu", "ryu"),
    ("유", "yoo", "yu"),
    ("홍", "hong", "hong"),
    ("전", "jeon", "jon"),
    ("고", "ko", "ko"),
    ("문", "moon", "mun"),
    ("양", "yang", "yang"),
    ("손", "son", "son"),
    ("배", "bae", "pae"),
    ("백", "baek", "paek"),
    ("허", "heo", "ho"),
    ("남", "nam", "nam"),
    ("노", "noh", "ro"),
    ("로", "roh", "ro"),
    ("하", "ha", "ha"),
    ("곽", "kwak", "kwak"),
    ("성", "sung", "song"),
    ("차", "cha", "cha"),
    ("주", "joo", "ju"),
    ("우", "woo", "u"),
    ("구", "koo", "ku"),
    ("민", "min", "min"),
    ("진", "jin", "jin"),
    ("지", "ji", "ji"),
    ("엄", "eom", "om"),
    ("채", "chae", "chae"),
    ("원", "won", "won"),
    ("천", "cheon", "chon"),
    ("방", "bang", "pang"),
    ("공", "kong", "kong"),
    ("현", "hyun", "hyon"),
    ("함", "ham", "ham"),
    ("변", "byun", "pyon"),
    ("염", "yeom", "yom"),
    ("여", "yeo", "yo"),
    ("추", "choo", "chu"),
    ("도", "do", "to"),
    ("석", "seok", "sok"),
    ("선", "sun", "son"),
    ("설", "seol", "sol"),
    ("마", "ma", "ma"),
    ("길", "gil", "kil"),
    ("연", "yeon", "yon"),
    ("표", "pyo", "pyo"),
    ("명", "myung", "myong"),
    ("기", "ki", "ki"),
    ("반", "ban", "pan"),
    ("왕", "wang", "wang"),
    ("금", "keum", "kum"),
    ("인", "in", "in"),
    ("탁", "tak", "thak"),
    ("국", "kook", "kuk"),
    ("태", "tae", "thae"),
    ("동", "dong", "tong"),
    ("계", "kye", "kye"),
    ("봉", "bong", "pong"),
    ("용", "yong", "yong"),
    ("경", "kyung", "kyong"),
    ("편", "pyeon", "phyon"),
    ("위", "wi", "wi"),
    ("남궁", "namgung", "namgung"),
    ("황보", "hwangbo", "hwangbo"),
    ("제갈", "jegal", "jegal"),
    ("선우", "sunwoo", "sonu"),
    ("독고", "dokgo", "tokko"),
    ("사공", "sagong", "sagong"),
];

fn ko_surname(s: &str) -> Option<(&'static str, &'static str)> {
    KO_SURNAMES.iter().find(|(h, _, _)| *h == s).map(|(_, rr, mr)| (*rr, *mr))
}

/// Hangul name keys: a Korean name (surname first, or given name then a one-syllable surname) as the
/// DPRK lists write it (`ko-mr`: surname, then each given syllable apart) and as South Korean documents
/// do (`ko-rr`: surname, given name joined); any other Hangul text (a foreign name in Hangul) by syllable.
fn hangul_keys(s: &str) -> Vec<(&'static str, String)> {
    let words: Vec<Vec<char>> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.chars().collect()).collect();
    let syllables: usize = words.iter().map(|w| w.len()).sum();
    // (surname, given) as syllables, when the text looks like a Korean name.
    let split: Option<(String, Vec<char>)> = match words.as_slice() {
        [w] if (2..=4).contains(&w.len()) => {
            let two: String = w[..2].iter().collect();
            if w.len() >= 3 && ko_surname(&two).is_some() {
                Some((two, w[2..].to_vec()))
            } else {
                let one: String = w[..1].iter().collect();
                ko_surname(&one).map(|_| (one, w[1..].to_vec()))
            }
        }
        [a, b] if syllables <= 5 => {
            let (sa, sb): (String, String) = (a.iter().collect(), b.iter().collect());
            if a.len() <= 2 && ko_surname(&sa).is_some() {
                Some((sa, b.clone()))
            } else if b.len() <= 2 && ko_surname(&sb).is_some() {
                Some((sb, a.clone()))
            } else {
                None
            }
        }
        [a, rest @ ..] if a.len() <= 2 && syllables <= 5 => {
            let sa: String = a.iter().collect();
            ko_surname(&sa).map(|_| (sa, rest.iter().flatten().copied().collect()))
        }
        _ => None,
    };
    let mut out = Vec::new();
    match split {
        Some((sur, given)) => {
            let (rr_sur, mr_sur) = ko_surname(&sur).unwrap_or(("", ""));
            let mut mr = mr_sur.to_string();
            for &c in &given {
                mr.push(' ');
                syllable(c, true, &mut mr);
            }
            let mut rr = format!("{rr_sur} ");
            for &c in &given {
                syllable(c, false, &mut rr);
            }
            // Classic McCune–Reischauer writes each syllable's plain stop unvoiced (`Chang Myong-chin`,
            // `Ko Ch'ol-chae`): j → ch at the start of a syllable.
            let classic: String = mr
                .split(' ')
                .map(|syl| if let Some(r) = syl.strip_prefix('j') { format!("ch{r}") } else { syl.to_string() })
                .collect::<Vec<_>>()
                .join(" ");
            out.push(("ko-mr", mr));
            out.push(("ko-rr", rr));
            out.push(("ko-mr", classic));
        }
        None => {
            let mut rr = String::new();
            for w in &words {
                rr.push(' ');
                for &c in w {
                    syllable(c, false, &mut rr);
                }
            }
            out.push(("ko-rr", rr));
        }
    }
    out
}

// ---- kana ----

/// Kana → Hepburn: each kana's `any_ascii` syllable, combined with a following small ya/yu/yo (`きょ`
/// kyo, `しゃ` sha) or small vowel (`ファ` fa), `っ`/`ッ` doubling the next consonant, `ー` dropped (lists
/// write `Puchin`, `Oshima`). Kanji in a Japanese name are read by the surname table or as Pinyin.
fn kana(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut double = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, 'っ' | 'ッ') {
            double = true;
            i += 1;
            continue;
        }
        if c == 'ー' {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(' ');
            i += 1;
            continue;
        }
        if !matches!(c as u32, 0x3040..=0x30FF) {
            // A kanji run: a known surname, else Pinyin.
            let run: String = chars[i..].iter().take_while(|c| is_han(**c)).collect();
            if !run.is_empty() {
                let n = run.chars().count();
                out.push(' ');
                out.push_str(&ja_surname(&run).map_or_else(|| ascii_words(&run), str::to_string));
                out.push(' ');
                i += n;
                continue;
            }
            out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
            i += 1;
            continue;
        }
        let mut syl = any_ascii::any_ascii_char(c).to_ascii_lowercase();
        if let Some(&n) = chars.get(i + 1) {
            let small = match n {
                'ゃ' | 'ャ' => Some("ya"),
                'ゅ' | 'ュ' => Some("yu"),
                'ょ' | 'ョ' => Some("yo"),
                'ぁ' | 'ァ' => Some("a"),
                'ぃ' | 'ィ' => Some("i"),
                'ぅ' | 'ゥ' => Some("u"),
                'ぇ' | 'ェ' => Some("e"),
                'ぉ' | 'ォ' => Some("o"),
                _ => None,
            };
            if let Some(sm) = small {
                if syl.len() >= 2 {
                    syl.pop();
                    if sm.starts_with('y') && (syl.ends_with("sh") || syl.ends_with("ch") || syl.ends_with('j')) {
                        syl.push_str(&sm[1..]);
                    } else if sm.starts_with('y') {
                        syl.push_str(sm);
                    } else {
                        syl.push_str(sm);
                    }
                    i += 1;
                }
            }
        }
        if double {
            if let Some(f) = syl.chars().next().filter(|f| !"aeiou".contains(*f)) {
                out.push(if syl.starts_with("ch") { 't' } else { f });
            }
            double = false;
        }
        out.push_str(&syl);
        i += 1;
    }
    out
}

// ---- Han ----

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x3005)
}

/// Surnames whose reading as a surname differs from the character's common reading, and compound
/// surnames. (Facts.)
const ZH_SURNAMES: &[(&str, &str)] = &[
    ("单", "shan"),
    ("單", "shan"),
    ("曾", "zeng"),
    ("区", "ou"),
    ("區", "ou"),
    ("仇", "qiu"),
    ("解", "xie"),
    ("查", "zha"),
    ("朴", "piao"),
    ("盖", "ge"),
    ("蓋", "ge"),
    ("覃", "qin"),
    ("乐", "yue"),
    ("樂", "yue"),
    ("缪", "miao"),
    ("繆", "miao"),
    ("翟", "zhai"),
    ("尉", "yu"),
    ("秘", "bi"),
    ("种", "chong"),
    ("沈", "shen"),
    ("万", "wan"),
    ("萬", "wan"),
    ("长", "chang"),
    ("欧阳", "ouyang"),
    ("歐陽", "ouyang"),
    ("司马", "sima"),
    ("司馬", "sima"),
    ("诸葛", "zhuge"),
    ("諸葛", "zhuge"),
    ("上官", "shangguan"),
    ("东方", "dongfang"),
    ("東方", "dongfang"),
    ("皇甫", "huangfu"),
    ("令狐", "linghu"),
    ("公孙", "gongsun"),
    ("夏侯", "xiahou"),
    ("司徒", "situ"),
    ("慕容", "murong"),
    ("尉迟", "yuchi"),
    ("宇文", "yuwen"),
    ("长孙", "zhangsun"),
];

/// Korean readings of common Hanja surnames: South Korean and DPRK spellings. (Facts.)
const KO_HANJA: &[(&str, &str, &str)] = &[
    ("金", "kim", "kim"),
    ("李", "lee", "ri"),
    ("朴", "park", "pak"),
    ("崔", "choi", "choe"),
    ("鄭", "jung", "jong"),
    ("郑", "jung", "jong"),
    ("姜", "kang", "kang"),
    ("趙", "cho", "jo"),
    ("赵", "cho", "jo"),
    ("尹", "yoon", "yun"),
    ("張", "jang", "jang"),
    ("张", "jang", "jang"),
    ("林", "lim", "rim"),
    ("韓", "han", "han"),
    ("韩", "han", "han"),
    ("吳", "oh", "o"),
    ("吴", "oh", "o"),
    ("申", "shin", "sin"),
    ("權", "kwon", "kwon"),
    ("权", "kwon", "kwon"),
    ("黃", "hwang", "hwang"),
    ("黄", "hwang", "hwang"),
    ("安", "ahn", "an"),
    ("宋", "song", "song"),
    ("柳", "ryu", "ryu"),
    ("洪", "hong", "hong"),
    ("全", "jeon", "jon"),
    ("高", "ko", "ko"),
    ("文", "moon", "mun"),
    ("梁", "yang", "ryang"),
    ("孫", "son", "son"),
    ("裵", "bae", "pae"),
    ("白", "baek", "paek"),
    ("許", "heo", "ho"),
    ("南", "nam", "nam"),
    ("盧", "noh", "ro"),
    ("河", "ha", "ha"),
    ("玄", "hyun", "hyon"),
    ("千", "chun", "chon"),
    ("延", "yeon", "yon"),
];

/// Common Japanese surnames in kanji and their Hepburn reading. (Facts.)
const JA_SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("渡邊", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("山口", "yamaguchi"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
    ("斎藤", "saito"),
    ("斉藤", "saito"),
    ("清水", "shimizu"),
    ("山崎", "yamazaki"),
    ("森", "mori"),
    ("池田", "ikeda"),
    ("橋本", "hashimoto"),
    ("阿部", "abe"),
    ("石川", "ishikawa"),
    ("山下", "yamashita"),
    ("中島", "nakajima"),
    ("石井", "ishii"),
    ("小川", "ogawa"),
    ("前田", "maeda"),
    ("岡田", "okada"),
    ("長谷川", "hasegawa"),
    ("藤田", "fujita"),
    ("後藤", "goto"),
    ("近藤", "kondo"),
    ("村上", "murakami"),
    ("遠藤", "endo"),
    ("青木", "aoki"),
    ("坂本", "sakamoto"),
    ("斉木", "saiki"),
    ("福田", "fukuda"),
    ("太田", "ota"),
    ("西村", "nishimura"),
    ("藤井", "fujii"),
    ("金子", "kaneko"),
    ("岡本", "okamoto"),
    ("藤原", "fujiwara"),
    ("中野", "nakano"),
    ("三浦", "miura"),
    ("原田", "harada"),
    ("中川", "nakagawa"),
    ("松田", "matsuda"),
    ("竹内", "takeuchi"),
    ("小野", "ono"),
    ("田村", "tamura"),
    ("中山", "nakayama"),
    ("和田", "wada"),
    ("石田", "ishida"),
    ("森田", "morita"),
    ("上田", "ueda"),
    ("原", "hara"),
    ("内田", "uchida"),
    ("柴田", "shibata"),
    ("酒井", "sakai"),
    ("宮崎", "miyazaki"),
    ("横山", "yokoyama"),
    ("高木", "takagi"),
    ("安藤", "ando"),
    ("宮本", "miyamoto"),
    ("大野", "ono"),
    ("小島", "kojima"),
    ("谷口", "taniguchi"),
    ("今井", "imai"),
    ("工藤", "kudo"),
    ("高田", "takada"),
    ("増田", "masuda"),
    ("丸山", "maruyama"),
    ("杉山", "sugiyama"),
    ("村田", "murata"),
    ("大塚", "otsuka"),
    ("新井", "arai"),
    ("小山", "koyama"),
    ("平野", "hirano"),
    ("藤本", "fujimoto"),
    ("河野", "kono"),
    ("上野", "ueno"),
    ("野口", "noguchi"),
    ("武田", "takeda"),
    ("松井", "matsui"),
    ("千葉", "chiba"),
    ("岩崎", "iwasaki"),
    ("菅原", "sugawara"),
    ("木下", "kinoshita"),
    ("久保", "kubo"),
    ("佐野", "sano"),
    ("野村", "nomura"),
    ("松尾", "matsuo"),
    ("菊地", "kikuchi"),
    ("杉本", "sugimoto"),
    ("市川", "ichikawa"),
    ("古川", "furukawa"),
    ("大西", "onishi"),
    ("島田", "shimada"),
    ("水野", "mizuno"),
    ("桜井", "sakurai"),
    ("高野", "takano"),
    ("渡部", "watanabe"),
    ("吉川", "yoshikawa"),
    ("山内", "yamauchi"),
    ("西田", "nishida"),
    ("飯田", "iida"),
    ("菅", "suga"),
    ("岸田", "kishida"),
    ("安倍", "abe"),
    ("麻生", "aso"),
    ("小泉", "koizumi"),
    ("鳩山", "hatoyama"),
];

fn ja_surname(s: &str) -> Option<&'static str> {
    JA_SURNAMES.iter().find(|(k, _)| *k == s).map(|(_, r)| *r)
}

/// Pinyin syllables of a Han word (`any_ascii` capitalises each syllable).
fn pinyin_syllables(w: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in w.chars() {
        let a = any_ascii::any_ascii_char(c);
        if a.is_empty() {
            continue;
        }
        // Some characters give two syllables (rare); split at inner capitals.
        let mut cur = String::new();
        for (i, ch) in a.chars().enumerate() {
            if i > 0 && ch.is_ascii_uppercase() && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if ch.is_ascii_alphanumeric() {
                cur.push(ch.to_ascii_lowercase());
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// Wade–Giles of one Pinyin syllable (no apostrophes or diacritics, as lists write it: `Chang`, `Hsu`).
fn wade_giles(p: &str) -> String {
    let (ini, rest) =
        ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "z", "c", "s", "r", "y", "w"]
            .iter()
            .find_map(|i| p.strip_prefix(i).map(|r| (*i, r)))
            .unwrap_or(("", p));
    let o = ini;
    let ini = match o {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "zh" | "j" | "q" | "ch" => "ch",
        "x" => "hs",
        "z" | "c" => "ts",
        "r" => "j",
        i => i,
    };
    let fin = match (o, rest) {
        (_, "ong") => "ung",
        (_, "iong") => "iung",
        (_, "ian") => "ien",
        (_, "ie") => "ieh",
        ("y", "an") => "en",
        ("y", "e") => "eh",
        ("y", "ou") => "u",
        ("g" | "k" | "h", "e") => "o",
        ("g" | "k" | "h", "ui") => "uei",
        ("zh" | "ch" | "sh" | "r", "i") => "ih",
        ("z" | "c" | "s", "i") => "u",
        (_, f) => f,
    };
    format!("{ini}{fin}")
}

/// Han name keys: Pinyin with the surname apart and the given name joined (`xi jinping`), Wade–Giles
/// (`hsi chinping`), the Korean reading of a Hanja surname, a known Japanese surname.
fn han_keys(s: &str) -> Vec<(&'static str, String)> {
    let words: Vec<&str> = s.split(|c: char| !is_han(c) && !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    if words.len() != 1 || !words[0].chars().all(is_han) {
        // Several words (a transliterated foreign name `弗拉基米尔·普京`, or "given surname"): each word joined.
        let py: Vec<String> = words.iter().map(|w| pinyin_syllables(w).concat()).collect();
        out.push(("zh-pinyin", py.join(" ")));
        if let Some(j) = words.iter().find_map(|w| ja_surname(w)) {
            let rest: Vec<String> = words.iter().filter(|w| ja_surname(w).is_none()).map(|w| pinyin_syllables(w).concat()).collect();
            out.push(("ja-kanji", format!("{j} {}", rest.join(" "))));
        }
        return out;
    }
    let w = words[0];
    let chars: Vec<char> = w.chars().collect();
    if chars.len() > 4 || chars.len() < 2 {
        out.push(("zh-pinyin", pinyin_syllables(w).concat()));
        return out;
    }
    // Surname: a known compound, else the first character.
    let two: String = chars[..2].iter().collect();
    let (sur, given): (String, String) = if chars.len() >= 3 && ZH_SURNAMES.iter().any(|(k, _)| *k == two) {
        (two, chars[2..].iter().collect())
    } else {
        (chars[..1].iter().collect(), chars[1..].iter().collect())
    };
    let sur_py = ZH_SURNAMES.iter().find(|(k, _)| *k == sur).map_or_else(|| pinyin_syllables(&sur).concat(), |(_, r)| r.to_string());
    let given_py = pinyin_syllables(&given);
    out.push(("zh-pinyin", format!("{sur_py} {}", given_py.concat())));
    let wg_given: Vec<String> = given_py.iter().map(|p| wade_giles(p)).collect();
    out.push(("zh-wade-giles", format!("{} {}", wade_giles(&sur_py), wg_given.concat())));
    if let Some((_, south, north)) = KO_HANJA.iter().find(|(k, _, _)| *k == sur) {
        // Given-name Hanja readings are not tabled: the surname's Korean reading, the given name in Pinyin.
        out.push(("ko-hanja", format!("{south} {}", given_py.join(" "))));
        if north != south {
            out.push(("ko-hanja", format!("{north} {}", given_py.join(" "))));
        }
    }
    for n in (2..=chars.len().min(3)).rev() {
        let head: String = chars[..n].iter().collect();
        if let Some(j) = ja_surname(&head) {
            let rest: String = chars[n..].iter().collect();
            out.insert(0, ("ja-kanji", format!("{j} {}", pinyin_syllables(&rest).concat())));
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Vec<String> {
        keys(s, script_of(s)).into_iter().map(|k| format!("{}:{}", k.scheme, k.text)).collect()
    }

    #[test]
    fn arabic_skeleton_text() {
        assert_eq!(k("محمد علي"), ["ar:mhmd ly"]);
        assert_eq!(k("صدام حسين التكريتي"), ["ar:sdam hsyn al tkryty"]);
        assert_eq!(k("أسامة بن لادن"), ["ar:asama bin ladn"]);
    }

    #[test]
    fn hangul() {
        assert_eq!(k("김정은"), ["ko-mr:kim jong un", "ko-rr:kim jeongeun", "ko-mr:kim chong un"]);
        assert_eq!(k("리병철"), ["ko-mr:ri pyong chol", "ko-rr:lee byeongcheol"]);
        assert!(k("블라디미르 푸틴")[0].ends_with(" putin"));
    }

    #[test]
    fn han() {
        assert_eq!(k("习近平"), ["zh-pinyin:xi jinping", "zh-wade-giles:hsi chinping"]);
        assert!(k("金正恩").contains(&"ko-hanja:kim zheng en".to_string()));
        assert!(k("蒋介石").contains(&"zh-wade-giles:chiang chiehshih".to_string()));
        assert!(k("张德江").contains(&"zh-wade-giles:chang techiang".to_string()));
        assert_eq!(k("高橋")[0], "ja-kanji:takahashi");
    }

    #[test]
    fn kana() {
        assert_eq!(k("ウラジーミル・プーチン"), ["ja-hepburn:urajimiru puchin"]);
        assert_eq!(k("きょうこ"), ["ja-hepburn:kyouko"]);
        assert_eq!(k("さゆり 小川"), ["ja-hepburn:sayuri ogawa"]);
    }
}

//! Transliteration of Cyrillic, Greek, Armenian, Georgian and Hangul to Latin (lower case), one character
//! at a time. The tables are simplified BGN/PCGN-style romanisations (facts, written here); Hangul follows
//! the Revised Romanization by splitting a syllable into its initial, vowel and final jamo.

/// Append the romanisation of `c` (already lower case) to `out`; returns false when `c` is not covered.
pub fn push(c: char, out: &mut String) -> bool {
    let s = match c {
        // Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Bulgarian, Macedonian, Kazakh letters).
        'а' => "a", 'б' => "b", 'в' => "v", 'г' => "g", 'д' => "d", 'е' => "e", 'ё' => "e", 'ж' => "zh",
        'з' => "z", 'и' => "i", 'й' => "i", 'к' => "k", 'л' => "l", 'м' => "m", 'н' => "n", 'о' => "o",
        'п' => "p", 'р' => "r", 'с' => "s", 'т' => "t", 'у' => "u", 'ф' => "f", 'х' => "kh", 'ц' => "ts",
        'ч' => "ch", 'ш' => "sh", 'щ' => "shch", 'ъ' => "", 'ы' => "y", 'ь' => "", 'э' => "e", 'ю' => "yu",
        'я' => "ya", 'і' => "i", 'ї' => "i", 'є' => "ye", 'ґ' => "g", 'ў' => "u", 'ђ' => "dj", 'ј' => "j",
        'љ' => "lj", 'њ' => "nj", 'ћ' => "c", 'џ' => "dz", 'ѓ' => "gj", 'ќ' => "kj", 'ѕ' => "dz", 'ә' => "a",
        'ғ' => "g", 'қ' => "k", 'ң' => "n", 'ө' => "o", 'ұ' => "u", 'ү' => "u", 'һ' => "h",
        // Greek.
        'α' | 'ά' => "a", 'β' => "v", 'γ' => "g", 'δ' => "d", 'ε' | 'έ' => "e", 'ζ' => "z", 'η' | 'ή' => "i",
        'θ' => "th", 'ι' | 'ί' | 'ϊ' | 'ΐ' => "i", 'κ' => "k", 'λ' => "l", 'μ' => "m", 'ν' => "n", 'ξ' => "x",
        'ο' | 'ό' => "o", 'π' => "p", 'ρ' => "r", 'σ' | 'ς' => "s", 'τ' => "t", 'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f", 'χ' => "ch", 'ψ' => "ps", 'ω' | 'ώ' => "o",
        // Armenian.
        'ա' => "a", 'բ' => "b", 'գ' => "g", 'դ' => "d", 'ե' => "e", 'զ' => "z", 'է' => "e", 'ը' => "y",
        'թ' => "t", 'ժ' => "zh", 'ի' => "i", 'լ' => "l", 'խ' => "kh", 'ծ' => "ts", 'կ' => "k", 'հ' => "h",
        'ձ' => "dz", 'ղ' => "gh", 'ճ' => "ch", 'մ' => "m", 'յ' => "y", 'ն' => "n", 'շ' => "sh", 'ո' => "o",
        'չ' => "ch", 'պ' => "p", 'ջ' => "j", 'ռ' => "r", 'ս' => "s", 'վ' => "v", 'տ' => "t", 'ր' => "r",
        'ց' => "ts", 'ւ' => "u", 'փ' => "p", 'ք' => "k", 'և' => "ev", 'օ' => "o", 'ֆ' => "f",
        // Georgian (Mkhedruli).
        'ა' => "a", 'ბ' => "b", 'გ' => "g", 'დ' => "d", 'ე' => "e", 'ვ' => "v", 'ზ' => "z", 'თ' => "t",
        'ი' => "i", 'კ' => "k", 'ლ' => "l", 'მ' => "m", 'ნ' => "n", 'ო' => "o", 'პ' => "p", 'ჟ' => "zh",
        'რ' => "r", 'ს' => "s", 'ტ' => "t", 'უ' => "u", 'ფ' => "p", 'ქ' => "k", 'ღ' => "gh", 'ყ' => "q",
        'შ' => "sh", 'ჩ' => "ch", 'ც' => "ts", 'ძ' => "dz", 'წ' => "ts", 'ჭ' => "ch", 'ხ' => "kh", 'ჯ' => "j",
        'ჰ' => "h",
        _ => {
            return hangul(c, out);
        }
    };
    out.push_str(s);
    true
}

const INITIALS: [&str; 19] = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const VOWELS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
];
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t",
    "p", "t",
];

fn hangul(c: char, out: &mut String) -> bool {
    let cp = c as u32;
    if !(0xAC00..=0xD7A3).contains(&cp) {
        return false;
    }
    let s = cp - 0xAC00;
    let (l, v, t) = ((s / 588) as usize, ((s % 588) / 28) as usize, (s % 28) as usize);
    out.push_str(INITIALS[l]);
    out.push_str(VOWELS[v]);
    out.push_str(FINALS[t]);
    true
}

#[cfg(test)]
mod tests {
    fn tr(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if !super::push(c, &mut out) {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn scripts() {
        assert_eq!(tr("путин"), "putin");
        assert_eq!(tr("лавров"), "lavrov");
        assert_eq!(tr("κωνσταντίνος"), "konstantinos");
        assert_eq!(tr("김정은"), "gimjeongeun");
        assert_eq!(tr("სააკაშვილი"), "saakashvili");
        assert_eq!(tr("փաշինյան"), "pashinyan");
    }
}

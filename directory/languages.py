"""Language names and ISO 639-1 codes, so contributors can write either.

Open Referral UK wants codes; volunteers think in names. The list covers the languages most
spoken in the UK (Census 2021) plus British Sign Language, which has no ISO 639-1 code and
uses its ISO 639-3 code ``bfi``.
"""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Welsh",
    "gd": "Scottish Gaelic",
    "ga": "Irish",
    "bfi": "British Sign Language",
    "pl": "Polish",
    "ro": "Romanian",
    "pa": "Punjabi",
    "ur": "Urdu",
    "pt": "Portuguese",
    "es": "Spanish",
    "ar": "Arabic",
    "bn": "Bengali",
    "gu": "Gujarati",
    "it": "Italian",
    "zh": "Chinese",
    "fr": "French",
    "lt": "Lithuanian",
    "tr": "Turkish",
    "ta": "Tamil",
    "so": "Somali",
    "bg": "Bulgarian",
    "fa": "Persian (Farsi)",
    "ps": "Pashto",
    "ku": "Kurdish",
    "uk": "Ukrainian",
    "ru": "Russian",
    "hi": "Hindi",
    "ne": "Nepali",
    "ti": "Tigrinya",
    "am": "Amharic",
    "lv": "Latvian",
    "hu": "Hungarian",
    "el": "Greek",
    "sq": "Albanian",
    "de": "German",
    "yo": "Yoruba",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ml": "Malayalam",
    "sk": "Slovak",
    "cs": "Czech",
    "sw": "Swahili",
    "he": "Hebrew",
    "ja": "Japanese",
    "ko": "Korean",
    "th": "Thai",
    "nl": "Dutch",
    "rom": "Romani",
}

_ALIASES: dict[str, str] = {
    "bsl": "bfi",
    "sign language": "bfi",
    "mandarin": "zh",
    "cantonese": "zh",
    "farsi": "fa",
    "persian": "fa",
    "gaelic": "gd",
    "panjabi": "pa",
    "sylheti": "bn",
    "bangla": "bn",
    "filipino": "tl",
}


def language_code(text: str) -> str | None:
    """The code for a language written as a code or a name, or None if unknown."""
    key = str(text).strip().lower()
    if key in LANGUAGES:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    for code, name in LANGUAGES.items():
        if name.lower() == key or name.lower().split(" (")[0] == key:
            return code
    return None


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)

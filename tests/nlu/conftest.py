"""Shared fixtures: a small trilingual training set written to a tmp dir, trained once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import NluModel, train

# A few intents, several examples per language; the az file also holds special-letter-free
# Azerbaijani and the ru file Latin-typed Russian, like the real data.
FIXTURE_DATA: dict[str, dict[str, list[str]]] = {
    "az": {
        "greet": ["salam", "salam aleykum", "sabahınız xeyir", "axşamınız xeyir", "salam, necəsiniz"],
        "thanks": ["çox sağ olun", "təşəkkür edirəm", "tesekkur edirem", "cox sag olun", "minnətdaram"],
        "work_permit_fee": [
            "iş icazəsi neçəyədir",
            "iş icazəsinin qiyməti nə qədərdir",
            "is icazesi neceyedir",
            "is icazesinin qiymeti ne qederdir",
            "iş icazəsi üçün nə qədər ödəməliyəm",
            "is icazesi ucun rusum ne qederdir",
        ],
        "registration": [
            "qeydiyyatdan necə keçim",
            "yaşadığım yer üzrə qeydiyyat lazımdır?",
            "qeydiyyatdan nece kecim",
            "yasadigim yer uzre qeydiyyat lazimdir?",
            "ev sahibi məni qeydiyyata salmalıdır?",
            "ev sahibi meni qeydiyyata salmalidir?",
        ],
        "out_of_scope": [
            "bu gün hava necədir",
            "bu gun hava necedir",
            "Gürcüstan vizası necə alınır",
            "gurcustan vizasi nece alinir",
            "dollar məzənnəsi nədir",
            "bilet almaq istəyirəm",
        ],
    },
    "ru": {
        "greet": ["здравствуйте", "привет", "добрый день", "zdravstvuyte", "privet", "dobryy den"],
        "thanks": ["спасибо", "большое спасибо", "благодарю", "spasibo", "bolshoe spasibo"],
        "work_permit_fee": [
            "сколько стоит разрешение на работу",
            "какая пошлина за разрешение на работу",
            "skolko stoit razreshenie na rabotu",
            "kakaya poshlina za razreshenie na rabotu",
            "сколько платить за разрешение на работу",
            "skolko platit za razreshenie na rabotu",
        ],
        "registration": [
            "как встать на регистрацию по месту пребывания",
            "нужна ли мне регистрация",
            "kak vstat na registratsiyu po mestu prebyvaniya",
            "nuzhna li mne registratsiya",
            "хозяин квартиры должен меня зарегистрировать?",
            "hozyain kvartiry dolzhen menya zaregistrirovat?",
        ],
        "out_of_scope": [
            "какая сегодня погода",
            "kakaya segodnya pogoda",
            "как получить грузинскую визу",
            "kak poluchit gruzinskuyu vizu",
            "какой курс доллара",
            "хочу купить билет на самолёт",
        ],
    },
    "en": {
        "greet": ["hello", "hi there", "good morning", "hey", "good evening"],
        "thanks": ["thank you", "thanks a lot", "many thanks", "thx", "thank you so much"],
        "work_permit_fee": [
            "how much does a work permit cost",
            "what is the fee for a work permit",
            "work permit price",
            "how much do I pay for a work permit",
            "cost of extending a work permit",
        ],
        "registration": [
            "how do I register at my place of stay",
            "do I need to register my address",
            "does my landlord have to register me",
            "where do I go for registration",
            "registration deadline after arrival",
        ],
        "out_of_scope": [
            "what is the weather today",
            "how do I get a Georgian visa",
            "what is the dollar exchange rate",
            "I want to buy a plane ticket",
            "tell me a joke",
        ],
    },
}


def write_rasa_yaml(directory: Path, name: str, intents: dict[str, list[str]]) -> Path:
    """Write one Rasa NLU YAML file and return its path."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in intents.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in examples]
    path = directory / f"{name}.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("nlu-data")
    for language, intents in FIXTURE_DATA.items():
        write_rasa_yaml(directory, language, intents)
    return directory


@pytest.fixture(scope="session")
def model(data_dir: Path) -> NluModel:
    return train(data_dir)

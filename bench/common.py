"""What the benchmarks share: result lines, timing, and realistic generated people."""

from __future__ import annotations

import datetime
import random
import statistics
import time
from dataclasses import dataclass


@dataclass
class Line:
    text: str
    ok: bool


def target_line(name: str, value: float, unit: str, target: float, *, lower_is_better: bool,
                baseline: float | None = None, baseline_name: str = "") -> Line:
    """`name: 12.3 ms (target < 50 ms) PASS; baseline 160.0 ms → 13.0× better`."""
    ok = value <= target if lower_is_better else value >= target
    sign = "<" if lower_is_better else "≥"
    text = f"{name}: {value:,.1f} {unit} (target {sign} {target:,.0f} {unit}) {'PASS' if ok else 'FAIL'}"
    if baseline is not None and value:
        ratio = baseline / value if lower_is_better else value / baseline
        text += f"; {baseline_name or 'baseline'} {baseline:,.1f} {unit} → ratio {ratio:,.2f}×"
    return Line(text, ok)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def timed_ms(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def p95_ms(fn, inputs) -> float:
    return percentile([timed_ms(fn, value)[0] for value in inputs], 95)


def median(samples):
    return statistics.median(samples)


# Common Indonesian (and Berau's Banjar, Bugis, Dayak, Javanese) given names and family names.
FIRST_MALE = (
    "Muhammad Ahmad Abdul Agus Budi Hendra Rudi Andi Joko Slamet Bambang Dedi Eko Fajar Hadi Irwan "
    "Yusuf Rahmat Taufik Wahyu Samsul Baharuddin Syamsuddin Hamzah Ilham Rizki Arif Dimas Hasan "
    "Ismail Sulaiman Yohanes Fransiskus Daeng Lahang Iskandar Supriadi Suparman Sutrisno Junaidi Herman"
).split()
FIRST_FEMALE = (
    "Siti Nur Sri Dewi Rahmawati Fatimah Masitah Yuliana Kartini Aisyah Suryani Halimah Maria Lusiana "
    "Ratna Jumiati Rosmiati Hasnah Wulandari Salmah Nurhayati Ani Endang Lestari Wahyuni Kurniasih "
    "Mariani Hartini Nurul Rini Yanti Ernawati Sumarni Rukmini Asmah Hajrah Norhayati"
).split()
FAMILY = (
    "Santoso Hidayat Saputra Gunawan Hartono Setiawan Nugroho Pratama Lestari Wijaya Kusuma Syahputra "
    "Rahman Hakim Saleh Fauzi Anwar Sudirman Hasibuan Siregar Lubis Nasution Matasa Lawing Hanyeq Uvang "
    "Ding Bahri Akbar Ramadhan Firmansyah Kurniawan Susanto Purnomo Wibowo Suharto Effendi Rusli "
    "Daeng Baso Tang Anshari Noor Jamaluddin Mahmud Yusran Arsyad Ambo Sitti Lahmuddin Bakri"
).split()


def person_name(rng: random.Random, sex: str) -> str:
    first = rng.choice(FIRST_MALE if sex == "L" else FIRST_FEMALE)
    parts = [first]
    if rng.random() < 0.55:
        parts.append(rng.choice(FIRST_MALE if sex == "L" else FIRST_FEMALE))
    if rng.random() < 0.75:
        parts.append(rng.choice(FAMILY))
    return " ".join(dict.fromkeys(parts))


def birth_date(rng: random.Random, today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(0, 85 * 365))

"""Plausible text for titles, bodies and comments, drawn from small pools."""

from __future__ import annotations

import random

TOPICS = ["加装电梯", "小区停车", "楼道照明", "外墙保温", "雨水管改造", "健身器材", "垃圾分类点", "老年食堂",
          "充电桩", "绿化补种", "门禁系统", "道路修补", "供暖不热", "屋顶防水", "监控探头", "非机动车棚"]
WHERE = ["东门", "北区", "3号楼前", "中心花园", "地下车库", "南侧道路", "活动中心", "西北角"]
SENTENCES = [
    "这件事拖了好几年了，希望这次能真正解决。", "我家老人腿脚不便，非常需要。", "费用怎么分摊需要说清楚。",
    "建议先做个调查，听听大家的意见。", "施工期间要注意噪音和安全。", "物业应该拿出具体方案。",
    "我支持，但要公开预算明细。", "低楼层住户的意见也要考虑。", "能不能申请政府补贴？",
    "上次类似的工程质量不好，这次要严格验收。", "希望尽快开工。", "我反对，没有必要花这个钱。",
    "可以分期实施，先做最急的部分。", "谢谢楼长的辛苦协调！", "需要业主大会表决吗？",
]


def title(rng: random.Random) -> str:
    return f"关于{rng.choice(WHERE)}{rng.choice(TOPICS)}的建议"


def body(rng: random.Random, sentences: int) -> str:
    return "".join(rng.choice(SENTENCES) for _ in range(sentences))


def markdown(rng: random.Random) -> str:
    points = "\n".join(f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 4)))
    return f"{body(rng, 2)}\n\n**具体建议：**\n\n{points}\n"

"""Everyday news on other topics: what a question's closeness to the articles is measured against.

e5's cosines are not comparable across questions: a short, generic question ("Who wrote this book?") is close
to any sentence, a specific one is close to few. So the cross-lingual path judges an uncertain question by how much
closer it comes to the article's sentences than to these, sentences of ordinary news about anything else
(crosslingual.on_topic; docs/quality.md, "Judged against everyday news"). Written for this purpose, one per
common news topic; none is about any article of ours, and none should be: they stand for "the rest of the news".
"""

from __future__ import annotations

EVERYDAY_NEWS: tuple[str, ...] = (
    "The central bank raised interest rates by half a percentage point on Wednesday.",
    "The striker scored twice in the second half to win the cup final.",
    "Scientists discovered a new species of frog in the rainforest.",
    "The recipe calls for two cups of flour, sugar and a pinch of salt.",
    "The company reported record quarterly profits driven by smartphone sales.",
    "Heavy rain caused flooding in several villages and closed the main road.",
    "The film won the award for best picture at the ceremony in Los Angeles.",
    "The new vaccine was approved by health regulators after clinical trials.",
    "Police arrested a man suspected of robbing a jewelry store downtown.",
    "The novel tells the story of a family over three generations.",
    "Researchers say the telescope captured images of a distant galaxy.",
    "The city council voted to build a new library and a public park.",
    "Fans queued overnight to buy tickets for the band's world tour.",
    "The airline cancelled hundreds of flights because of the snowstorm.",
    "The school will open a new science building next year.",
    "Oil prices fell sharply after producers agreed to increase output.",
    "The museum reopened with an exhibition of modern paintings.",
    "Doctors recommend at least thirty minutes of exercise a day.",
    "The software update fixes a security flaw in the operating system.",
    "The tennis champion announced her retirement after twenty years.",
    "Farmers warned that the drought could ruin this year's harvest.",
    "The train line between the two cities will be electrified.",
    "The singer released her first album in five years on Friday.",
    "Wildfires forced thousands of residents to leave their homes.",
    "The court sentenced the former mayor to four years in prison.",
    "Shares of the carmaker rose after it unveiled an electric model.",
    "The restaurant serves traditional dishes from the region.",
    "Astronauts returned to Earth after six months on the space station.",
    "The university raised tuition fees for international students.",
    "A strong earthquake shook the coastal region early on Monday.",
    "Election officials said turnout was the highest in decades.",
    "The zoo welcomed the birth of a baby panda.",
)

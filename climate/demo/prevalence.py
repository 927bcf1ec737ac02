"""Published rates the demo district's answers are drawn to, each with its source.

A counselor reading the demo learns what a district's report looks like; the numbers must
not teach them something false about students. So every item a real survey would compare
with national figures is drawn to a rate taken from a published survey of the same age
group, and each rate below names its source, year and table or page.

Sources
-------
YRBS 2023
    CDC, *Youth Risk Behavior Survey Data Summary & Trends Report: 2013-2023* (2024),
    section "Mental Health and Suicidality", 2023 values (high school, grades 9-12):
    persistent sadness or hopelessness 40 %, seriously considered attempting suicide 20 %,
    made a suicide plan 16 %, attempted suicide 9 %. Verlenden et al., MMWR Suppl
    2024;73(4):79-86, abstract: seriously considered attempting suicide 20.4 %.
YRBS middle school 2015-2019
    Pooled state and local middle-school YRBS (grades 6-8), J Adolesc Health
    2024;74(4):720-728, abstract: ever seriously thought about suicide 22.3 %, ever made
    a plan 14.7 %, ever attempted 9.3 % (2019). These are lifetime rates; the survey asks
    about the past 12 months, so the middle-school rates below sit under them.
Monto et al. 2018
    Monto, McRee and Deryck, "Nonsuicidal self-injury among a representative sample of
    US adolescents, 2015", Am J Public Health 108(8):1042-1048 (YRBS, 11 states): 17.6 %
    of high-school students hurt themselves on purpose without wanting to die in the past
    12 months (boys 6.4-14.8 %, girls 17.7-30.8 % by state). Thinking about it is at least
    as common as doing it.
Rowe et al. 2014
    Rowe et al., "Help-seeking behaviour and adolescent self-harm: a systematic review",
    Aust N Z J Psychiatry 48(12):1083-1095: between a third and a half of adolescents who
    self-harm do not seek help; those who do mostly turn to friends and family.
NCES 2019
    NCES, *Student Reports of Bullying: Results From the 2017 School Crime Supplement*
    (NCES 2019-054), Table 1.1: about one in five students aged 12-18 bullied at school;
    SCS 2017 Table 14: an adult was notified for 46.3 % of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    """A share of students, for middle-school grades (6-8) and high-school grades (9-12)."""

    middle: float
    high: float

    def of(self, grade: int) -> float:
        """The rate for a student in ``grade``."""
        return self.high if grade >= 9 else self.middle


# "Thought about ending your life" (past 12 months): YRBS 2023 high school 20 %; the middle
# school lifetime rate is 22.3 %, so its past-year rate is put below it.
SUICIDE_THOUGHT = Rate(middle=0.16, high=0.20)
# "Thought about how you might end your life", asked only after a Yes to the above, so it
# is a share of those who said Yes: YRBS 2023 high school plan 16 % of 20 % considering
# (at most 0.8 of them), middle school 14.7 % of 22.3 % (0.66).
SUICIDE_PLAN_OF_THOUGHT = Rate(middle=0.62, high=0.72)
# "Thought about hurting yourself on purpose": Monto et al. 2018 acts 17.6 %; thoughts at
# least as common; more common in high school than in grade 6 (they declined with age
# within high school, so the two are kept close).
SELF_HARM_THOUGHT = Rate(middle=0.19, high=0.22)
# "Have you talked with someone you trust about them?", of those with such thoughts:
# Rowe et al. 2014, a half to two thirds seek help.
TALKED_OF_THOUGHT = 0.57
# "Did you feel bullied, at school or online?" and "Did you tell an adult?" (NCES 2019).
BULLIED = 0.21
TOLD_ADULT_OF_BULLIED = 0.46
# Elementary: "did you tell a grown-up?" when called names; younger children tell more.
TOLD_ADULT_OF_BULLIED_ELEMENTARY = 0.60
# "After you told an adult, did things get better?": no, a little, yes (NCES 2019 reports
# no split; a spread toward better keeps the item honest about not always helping).
BETTER_AFTER_TELLING = (0.25, 0.40, 0.35)

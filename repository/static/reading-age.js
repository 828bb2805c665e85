// Progressive enhancement of the deposit form: the summary's reading age updates as you type.
// The same estimate as repository/services/readability.py (shown on save without JavaScript).
const WORD = /[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*/g
const SENTENCE_END = /[.!?]+(?:\s|$)|\n\s*\n/
const VOWEL_GROUPS = /[aeiouy]+/g
const HAS_WORD = /[A-Za-z0-9]/
const ADULT_AGE = 18

function syllables (word) {
  word = word.toLowerCase().replace(/^['’]+|['’]+$/g, '')
  if (!word) return 0
  if (/^\d+$/.test(word)) return Math.max(1, word.length)
  if (word.length <= 3) return 1
  if (word.endsWith('e') && !/(le|ee|ye)$/.test(word)) {
    word = word.slice(0, -1)
  } else if (/(es|ed)$/.test(word) && !/(ted|ded|ses|zes|ces|ges|xes)$/.test(word)) {
    word = word.slice(0, -2)
  }
  return Math.max(1, (word.match(VOWEL_GROUPS) || []).length)
}

function describe (text) {
  const words = text.match(WORD) || []
  if (!words.length) return 'There is no summary yet, so it has no reading age.'
  const sentences = Math.max(1, text.trim().split(SENTENCE_END).filter((part) => HAS_WORD.test(part)).length)
  const total = words.reduce((sum, word) => sum + syllables(word), 0)
  const grade = Math.max(0, 0.39 * words.length / sentences + 11.8 * total / words.length - 15.59)
  const age = Math.min(ADULT_AGE, Math.max(5, Math.round(grade) + 5))
  const advice = age <= 11 ? ' That is easy to read.' : ' Shorter sentences and everyday words would make it easier to read.'
  if (age >= ADULT_AGE) return `Your summary needs a reading age of ${ADULT_AGE} or over (university level).${advice}`
  return `Your summary has a reading age of about ${age} years.${advice}`
}

const summary = document.getElementById('summary')
if (summary) {
  let live = document.getElementById('reading-age')
  if (!live) {
    live = document.createElement('div')
    live.id = 'reading-age'
    live.className = 'govuk-inset-text'
    summary.closest('.govuk-form-group').before(live)
  }
  live.setAttribute('aria-live', 'polite')
  let timer
  summary.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(() => { live.textContent = describe(summary.value) }, 400)
  })
}

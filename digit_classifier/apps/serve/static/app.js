// The page of digit-classifier serve: draw or upload a digit, or a number,
// and show what the model reads. Plain JavaScript, no library; URLs are
// relative, so the app works where it is mounted.
"use strict";

const pad = document.getElementById("pad");
const pen = pad.getContext("2d");
const seen = document.getElementById("seen");
const label = document.getElementById("label");
const top3 = document.getElementById("top");
const message = document.getElementById("message");
const preview = document.getElementById("upload-preview");
const drop = document.getElementById("drop");
const number = document.getElementById("number");
const reading = document.getElementById("reading");
const digitList = document.getElementById("digits");

// Strokes a twelfth of the canvas wide: MNIST's width once the digit is
// brought to 20x20 pixels.
const STROKE_WIDTH = 22;
// Ask again this long after the last stroke moved, not at every move.
const DEBOUNCE_MS = 150;

let drawing = false;
let drawn = false;
let last = null;
let timer = null;
let request = 0;  // answers to older requests than the newest are dropped
// "digit": POST /predict, one digit; "number": POST /read, digit by digit.
let mode = "digit";
// What was sent: the pad, or the uploaded image (to draw the boxes on).
let sent = pad;
// The pad's width in each mode: a number needs room for several digits.
const PAD_WIDTH = { digit: 280, number: 720 };
const HINT = {
  digit: "Draw a digit in the box.",
  number: "Write a number in the box, its digits side by side.",
};
const TITLE = {
  digit: "Draw a digit, or drop a photo of one",
  number: "Write a number, or drop a photo of one",
};

function clearPad() {
  pen.fillStyle = "#ffffff";
  pen.fillRect(0, 0, pad.width, pad.height);
  drawn = false;
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return {
    x: (event.clientX - box.left) * (pad.width / box.width),
    y: (event.clientY - box.top) * (pad.height / box.height),
  };
}

function strokeTo(p) {
  pen.strokeStyle = "#000000";
  pen.lineWidth = STROKE_WIDTH;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(last.x, last.y);
  pen.lineTo(p.x, p.y);
  pen.stroke();
  last = p;
  drawn = true;
}

pad.addEventListener("pointerdown", (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  last = point(event);
  strokeTo({ x: last.x + 0.01, y: last.y });  // a dot for a tap
});

pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  strokeTo(point(event));
  schedule();
});

for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    if (!drawing) return;
    drawing = false;
    schedule();
  });
}

document.getElementById("clear").addEventListener("click", () => {
  clearPad();
  showNothing(HINT[mode]);
});

for (const choice of document.querySelectorAll("input[name=mode]")) {
  choice.addEventListener("change", () => setMode(choice.value));
}

function setMode(chosen) {
  mode = chosen;
  request++;  // an answer on its way belongs to the other mode
  document.body.classList.toggle("number", mode === "number");
  document.getElementById("digit-result").hidden = mode !== "digit";
  document.getElementById("number-result").hidden = mode !== "number";
  document.getElementById("pad-title").textContent =
    mode === "number" ? "Your number" : "Your digit";
  document.getElementById("title").textContent = TITLE[mode];
  pad.width = PAD_WIDTH[mode];
  preview.hidden = true;
  clearPad();
  showNothing(HINT[mode]);
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (drawn) {
      sent = pad;
      pad.toBlob((blob) => send(blob, "image/png"), "image/png");
    }
  }, DEBOUNCE_MS);
}

// The image last sent in digit mode, saved as the user's digit when they
// correct the answer.
let lastImage = null;

async function send(body, type) {
  const mine = ++request;
  const asked = mode;
  lastImage = asked === "digit" ? { body, type: type || "application/octet-stream" } : null;
  let answer;
  try {
    const response = await fetch(asked === "number" ? "read" : "predict", {
      method: "POST",
      headers: { "content-type": type || "application/octet-stream" },
      body,
    });
    answer = { ok: response.ok, status: response.status, json: await response.json() };
  } catch (error) {
    answer = { ok: false, status: 0, json: { detail: `the server did not answer (${error})` } };
  }
  if (mine !== request) return;  // a newer drawing or upload is on its way
  if (answer.ok) {
    if (asked === "number") showNumber(answer.json);
    else show(answer.json);
  } else {
    showNothing(explain(answer), true);
  }
}

function explain(answer) {
  const detail = answer.json && answer.json.detail;
  const text = typeof detail === "string" ? detail : JSON.stringify(detail);
  if (answer.status === 413) return `Too large: ${text}`;
  if (answer.status === 415) return `Not an image: ${text}`;
  return text || `error ${answer.status}`;
}

// Why the model reads no digit, as the page says it.
const DECLINED = {
  "not a digit": "That does not look like a digit",
};

function show(prediction) {
  const declined = prediction.label === null;
  label.textContent = declined ? "?" : String(prediction.label);
  label.classList.toggle("declined", declined);
  // Declined: the reason, and still the 28x28 image and the guesses.
  message.textContent = declined
    ? DECLINED[prediction.reason] || capitalized(prediction.reason)
    : "";
  message.classList.remove("error");
  top3.replaceChildren(
    ...prediction.top_k.map((entry) => {
      const item = document.createElement("li");
      const name = document.createElement("b");
      name.textContent = String(entry.label);
      const bar = document.createElement("div");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.style.width = `${(100 * entry.probability).toFixed(1)}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.textContent = `${(100 * entry.probability).toFixed(1)}%`;
      item.append(name, bar, value);
      return item;
    })
  );
  drawSeen(prediction.image_28x28);
  correct.hidden = !collecting;
}

// Corrections: shown when the server collects samples (serve --samples).
const correct = document.getElementById("correct");
let collecting = false;

async function describeSamples() {
  const response = await fetch("samples").catch(() => null);
  if (!response || !response.ok) return;  // not collecting
  const samples = await response.json();
  collecting = true;
  document.getElementById("correct-labels").replaceChildren(
    ...Object.keys(samples.counts).map((name) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = name;
      button.title = `Save this image as a ${name}`;
      button.addEventListener("click", () => saveSample(name));
      return button;
    })
  );
  showCounts(samples.counts);
  document.getElementById("adapt-command").textContent = samples.command;
  document.getElementById("samples").hidden = false;
}

function showCounts(counts) {
  const listed = Object.entries(counts).map(([name, n]) => `${name}: ${n}`);
  document.getElementById("sample-counts").textContent =
    `Your digits collected: ${listed.join(", ")}.`;
}

async function saveSample(name) {
  if (!lastImage) return;
  let response, answer;
  try {
    response = await fetch(`samples/${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { "content-type": lastImage.type },
      body: lastImage.body,
    });
    answer = await response.json();
  } catch (error) {
    answer = { detail: `the server did not answer (${error})` };
  }
  if (response && response.ok) {
    showCounts(answer.counts);
    message.textContent = `Saved as a ${answer.label}: thank you.`;
    message.classList.remove("error");
    correct.hidden = true;  // once per answer
  } else {
    message.textContent = explain({ status: response ? response.status : 0, json: answer });
    message.classList.add("error");
  }
}

// The colours of the boxes: a digit read, a mark not read.
const DIGIT_BOX = "#2f6fd6";
const NOT_A_DIGIT_BOX = "#b3261e";

function showNumber(answer) {
  const declined = answer.text === null;
  number.textContent = declined ? "?" : answer.text;
  number.classList.toggle("declined", declined);
  const notRead = answer.not_digits.length;
  message.textContent = declined
    ? capitalized(answer.reason)
    : notRead ? `${notRead} mark${notRead > 1 ? "s" : ""} not read as digits (red)` : "";
  message.classList.remove("error");
  digitList.replaceChildren(
    ...answer.digits.map((digit) => {
      const item = document.createElement("li");
      const name = document.createElement("b");
      name.textContent = String(digit.label);
      item.append(name, `${(100 * digit.probability).toFixed(1)}%`);
      return item;
    })
  );
  drawReading(answer);
}

function drawReading(answer) {
  // The image as it was sent, with each box; boxes are in its own pixels.
  const [width, height] = answer.size;
  const scale = Math.min(reading.width / width, 300 / height);
  reading.height = Math.max(1, Math.round(height * scale));
  const context = reading.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, reading.width, reading.height);
  if (sent === pad || preview.naturalWidth) {  // the browser could show it
    context.drawImage(sent, 0, 0, width * scale, height * scale);
  }
  context.lineWidth = 2;
  context.font = "bold 16px system-ui, sans-serif";
  context.textBaseline = "bottom";
  const boxes = [
    ...answer.digits.map((digit) => [digit.box, DIGIT_BOX, String(digit.label)]),
    ...answer.not_digits.map((part) => [part.box, NOT_A_DIGIT_BOX, null]),
  ];
  for (const [[x0, y0, x1, y1], colour, text] of boxes) {
    context.strokeStyle = colour;
    context.setLineDash(text === null ? [5, 4] : []);
    context.strokeRect(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale);
    if (text !== null) {
      context.fillStyle = colour;
      context.fillText(text, x0 * scale + 2, Math.max(16, y0 * scale - 2));
    }
  }
}

function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function showNothing(text, isError = false) {
  correct.hidden = true;
  label.textContent = "–";
  label.classList.remove("declined");
  top3.replaceChildren();
  drawSeen(null);
  number.textContent = "–";
  number.classList.remove("declined");
  digitList.replaceChildren();
  reading.height = 0;
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function drawSeen(rows) {
  const context = seen.getContext("2d");
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 28 * 28; i++) {
    const level = rows ? rows[Math.floor(i / 28)][i % 28] : 0;
    image.data.set([level, level, level, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

async function upload(file) {
  if (!file) return;
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
  clearPad();
  sent = preview;
  // Decoded before the answer comes, to draw the boxes on it; a file the
  // browser cannot show is still sent, and the server says what is wrong.
  await preview.decode().catch(() => {});
  send(file, file.type);
}

document.getElementById("file").addEventListener("change", (event) => {
  upload(event.target.files[0]);
  event.target.value = "";  // the same file again is a new upload
});

drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  upload(event.dataTransfer.files[0]);
});

async function describeModel() {
  const text = document.getElementById("model");
  try {
    const model = await (await fetch("model")).json();
    const layers = [model.n_pixels, ...model.layers].join(" → ");
    const network = model.members.length > 1
      ? `a committee of ${model.members.length} networks ${layers}`
      : `network ${layers}`;
    const facts = [network, `classes ${model.classes.join(", ")}`];
    if (model.info.preset) facts.push(`preset “${model.info.preset}”`);
    if (model.info.test_accuracy !== undefined) {
      const where = model.info.dataset ? ` on ${model.info.dataset}` : "";
      facts.push(`test accuracy ${(100 * model.info.test_accuracy).toFixed(2)}%${where}`);
    }
    const adapted = model.info.adapted_from;
    if (adapted) {
      const counts = Object.values(model.info.samples_per_label || {});
      const n = counts.reduce((sum, count) => sum + count, 0);
      facts.push(`adapted from ${adapted.file} to ${n} of your digits`);
    }
    text.textContent = `Model: ${facts.join("; ")}.`;
  } catch (error) {
    text.textContent = `The model could not be described (${error}).`;
  }
}

clearPad();
drawSeen(null);
showNothing(HINT[mode]);
describeModel();
describeSamples();

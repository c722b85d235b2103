/* Bar charts comparing a node's children, one per indicator.
   Data comes from the json_script block "insights-data"; nothing is built
   from strings in the template. */
(function () {
  "use strict";
  var source = document.getElementById("insights-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;

  function fmt(value, unit) {
    if (value === null || value === undefined) return labels.none;
    if (unit === "percent") return value.toFixed(1) + "%";
    return Number(value).toLocaleString("zh-CN");
  }

  data.indicators.forEach(function (ind) {
    var el = document.getElementById("chart-" + ind.code);
    if (!el || !ind.children.length) return;
    var chart = echarts.init(el);
    var series = {
      type: "bar",
      name: ind.name,
      itemStyle: { color: "#b3121b" },
      data: ind.children.map(function (c) {
        return { value: c.value, child: c };
      })
    };
    if (ind.unit === "percent" && ind.seed_value !== null) {
      series.markLine = {
        symbol: "none",
        lineStyle: { type: "dashed", color: "#888" },
        label: {
          position: "insideEndTop",
          color: "#666",
          formatter: labels.seed + " " + fmt(ind.seed_value, ind.unit)
        },
        data: [{ yAxis: ind.seed_value }]
      };
    }
    chart.setOption({
      grid: { left: 48, right: 24, top: 32, bottom: 72 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var c = p.data.child;
          var lines = [c.name, labels.value + ":" + fmt(c.value, ind.unit)];
          lines.push(labels.numerator + ":" + fmt(c.numerator, "count"));
          if (c.denominator !== null) lines.push(labels.denominator + ":" + fmt(c.denominator, "count"));
          var div = document.createElement("div");
          lines.forEach(function (line) {
            var row = document.createElement("div");
            row.textContent = line;
            div.appendChild(row);
          });
          return div;
        }
      },
      xAxis: {
        type: "category",
        data: ind.children.map(function (c) { return c.name; }),
        axisLabel: { interval: 0, rotate: ind.children.length > 6 ? 40 : 0 }
      },
      yAxis: {
        type: "value",
        max: ind.unit === "percent" ? 100 : null,
        axisLabel: { formatter: ind.unit === "percent" ? "{value}%" : "{value}" }
      },
      dataZoom: ind.children.length > 20 ? [{ type: "slider", bottom: 8 }] : [],
      series: [series]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.child) window.location.href = p.data.child.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  });
})();

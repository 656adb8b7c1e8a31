// Shows every <time datetime="..."> in the reader's time zone preference
// (<html data-timezone>, an IANA name, or "UTC"). The server renders UTC
// text, which stays as it is without JavaScript or for an unknown zone.
(function () {
  'use strict';
  var zone = document.documentElement.getAttribute('data-timezone') || 'UTC';
  var format;
  try {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
    });
  } catch (e) {
    return;  // a zone this browser does not know: keep the UTC text
  }
  var times = document.querySelectorAll('time[datetime]');
  for (var i = 0; i < times.length; i++) {
    var when = new Date(times[i].getAttribute('datetime'));
    if (isNaN(when.getTime())) continue;
    times[i].title = times[i].textContent;  // the UTC text, on hover
    times[i].textContent = format.format(when);
  }
})();
